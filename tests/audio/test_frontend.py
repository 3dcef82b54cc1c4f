"""The plain-torch front end equals Whisper's (transformers' feature extractor) and librosa's filters."""

import numpy as np
import pytest
import torch

from archs.audio import frontend as F
from data.audio import word_sequences


def _wave():
    return word_sequences(1, 3, 3, seed=0)["waves"][0]


def test_stft_shape_and_window():
    x = torch.randn(2, 4000)
    s = F.stft(x, n_fft=400, hop_length=160)
    assert s.shape == (2, 201, 1 + 4000 // 160) and s.is_complex()
    assert F.stft(x[0], 256, 64, win_length=200, window="hamming").shape == (1, 129, 63)
    with pytest.raises(ValueError):
        F.stft(x, 256, 64, win_length=300)


def test_mel_filterbank_matches_transformers():
    au = pytest.importorskip("transformers.audio_utils")
    for n_mels, n_fft, sr in [(80, 400, 16000), (40, 512, 16000), (64, 1024, 22050)]:
        ref = au.mel_filter_bank(num_frequency_bins=n_fft // 2 + 1, num_mel_filters=n_mels, min_frequency=0.0,
                                 max_frequency=sr / 2, sampling_rate=sr, norm="slaney", mel_scale="slaney")
        ours = F.mel_filterbank(n_mels, n_fft, sr)
        assert ours.shape == (n_mels, n_fft // 2 + 1)
        np.testing.assert_allclose(ours.numpy(), ref.T, rtol=1e-5, atol=1e-7)
    htk = au.mel_filter_bank(201, 40, 20.0, 7600.0, 16000, norm=None, mel_scale="htk")
    np.testing.assert_allclose(F.mel_filterbank(40, 400, 16000, 20.0, 7600.0, None, "htk").numpy(), htk.T,
                               rtol=1e-5, atol=1e-7)


def test_log_mel_equals_whisper_feature_extractor():
    tr = pytest.importorskip("transformers")
    fe = tr.WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160, chunk_length=30,
                                    n_fft=400)
    x = _wave()
    ref = fe._torch_extract_fbank_features(x[None].astype(np.float32), "cpu")  # (1, 80, S // 160)
    ours = F.log_mel_spectrogram(torch.from_numpy(x))
    assert ours.shape == (1, 80, len(x) // 160)
    np.testing.assert_allclose(ours.numpy(), ref, atol=2e-4, rtol=1e-4)
    np.testing.assert_allclose(F.MelFrontend()(torch.from_numpy(x)[None]).numpy(), ref, atol=2e-4, rtol=1e-4)


def test_mel_frontend_kws_features_and_meta():
    fe = F.MelFrontend(n_mels=40, n_fft=480, hop_length=160, whisper=False)
    y = fe(torch.randn(3, 16000))
    assert y.shape == (3, 40, fe.num_frames(16000)) == (3, 40, 101)
    assert sum(p.numel() for p in fe.parameters()) == 0 and fe.state_dict() == {}
    with torch.device("meta"):
        assert F.MelFrontend().filters.shape == (80, 201)
