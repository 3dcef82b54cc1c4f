"""Speech and audio: keyword spotting, CTC, Wav2Vec 2.0 and Whisper (family `audio`)."""
