"""The architecture selection guide as data: for each common task, the architectures worth trying first and
why, with the constraints each one suits (how much labelled data, whether it answers in real time).

The rows follow the selection table of the reference documents (/work/shared/seeds/, "Architecture Selection
Guide": eleven tasks from image classification to speech recognition); the reasons are written here, from the
papers. ``arch`` names the registered architecture that shows each pick (``archs.get_arch``); ``None`` where
the atlas does not have it yet, with ``closest`` naming the registered design nearest to it.

The device constraint is not a hand-written tag: ``fits`` reads it from the registry's own count of the
published model (parameters, mult-adds per example), against the budgets of ``DEVICES``. A pick whose
published size the atlas does not hold passes that filter, and ``fits`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

# How much labelled data the user has, smallest first: a pick suits every size from its ``min_data`` up.
DATA_SIZES: dict[str, str] = {
    "small": "Hundreds to thousands",
    "medium": "Tens of thousands",
    "large": "Millions",
}
LATENCIES: dict[str, str] = {
    "any": "No hard limit",
    "realtime": "Real time",
}


@dataclass(frozen=True)
class Device:
    title: str
    max_params: float | None  # None: no limit
    max_mult_adds: float | None  # per example, at the published input size

    def why_not(self, params: int, mult_adds: int) -> str | None:
        """None if a model of this size fits the device, else a sentence that says which limit it passes."""
        if self.max_params is not None and params > self.max_params:
            limit = f"{self.max_params / 1e6:,.0f} M"
            return f"{params / 1e6:,.0f} M parameters: more than the {limit} a {self.title} holds"
        if self.max_mult_adds is not None and mult_adds > self.max_mult_adds:
            limit = f"{self.max_mult_adds / 1e9:,.0f} G"
            return (
                f"{mult_adds / 1e9:,.0f} G mult-adds per example: more than the {limit} "
                f"a {self.title} runs at interactive speed"
            )
        return None


# A laptop CPU or phone: 100 M float32 parameters are 400 MB, and ~10 G mult-adds take about a second on
# one CPU core at ~10 G multiply-adds per second. One GPU: 1 B parameters can still be fine-tuned with Adam
# (weights, gradients and two moments, 16 GB in float32). A cluster: no limit.
DEVICES: dict[str, Device] = {
    "cpu": Device("laptop CPU or phone", 100e6, 10e9),
    "gpu": Device("single GPU", 1e9, None),
    "cluster": Device("GPU cluster", None, None),
}


@dataclass(frozen=True)
class Pick:
    label: str  # as the guide names it
    arch: str | None  # the registered architecture that shows it; None: not in the atlas yet
    reason: str
    min_data: str = "small"  # the least labelled data it does well with (a key of DATA_SIZES)
    realtime: bool = False  # answers within a video frame or an interactive reply on suitable hardware
    closest: str | None = None  # for a pick the atlas lacks: the registered design nearest to it


@dataclass(frozen=True)
class GuideRow:
    task: str
    modality: str
    note: str  # what decides between the picks
    picks: tuple[Pick, ...]


GUIDE: tuple[GuideRow, ...] = (
    GuideRow(
        "Image classification",
        "Images",
        "Start from an ImageNet-pretrained network and fine-tune it; train from scratch only on a large set.",
        (
            Pick(
                "EfficientNet",
                "efficientnet_b0",
                "Scales depth, width and input resolution together, so B0 to B7 give the best accuracy for "
                "a given budget of parameters and mult-adds; B0 runs on a phone.",
                realtime=True,
            ),
            Pick(
                "ResNet",
                "resnet50",
                "Residual shortcuts let very deep stacks train; the standard backbone, with pretrained "
                "weights everywhere and well understood behaviour when fine-tuned on few images.",
                realtime=True,
            ),
            Pick(
                "ViT",
                "vit_b_16",
                "A transformer over 16 × 16 patches: few built-in assumptions about images, so it needs a "
                "very large pre-training set, and then overtakes CNNs of the same cost.",
                min_data="large",
            ),
        ),
    ),
    GuideRow(
        "Object detection",
        "Images",
        "One stage for speed, two stages for accuracy on small or crowded objects.",
        (
            Pick(
                "YOLOv8",
                "yolov8n",
                "One network pass predicts every box and class at once; the nano model runs in real time "
                "even without a large GPU.",
                realtime=True,
            ),
            Pick(
                "Faster R-CNN",
                "faster_rcnn",
                "A region proposal network first, then a second head that classifies and refines each "
                "proposal: more accurate boxes, several times slower.",
            ),
        ),
    ),
    GuideRow(
        "Instance segmentation",
        "Images",
        "A mask for every object, told apart from others of its class.",
        (
            Pick(
                "Mask R-CNN",
                "mask_rcnn",
                "Faster R-CNN with a third, small branch that draws a pixel mask inside each detected box.",
            ),
        ),
    ),
    GuideRow(
        "Semantic segmentation",
        "Images",
        "A class for every pixel; skip connections bring back the detail that downsampling loses.",
        (
            Pick(
                "U-Net",
                "unet",
                "A symmetric encoder-decoder whose skips copy fine features across; it was shown on a few "
                "dozen annotated microscopy images, so it suits small medical data sets.",
            ),
            Pick(
                "DeepLabv3+",
                "deeplabv3plus",
                "Atrous (dilated) convolutions at several rates see context at many scales without losing "
                "resolution; a light decoder sharpens the object edges.",
                min_data="medium",
            ),
        ),
    ),
    GuideRow(
        "Text classification",
        "Text",
        "Fine-tune a pretrained encoder: a few thousand labelled sentences are usually enough.",
        (
            Pick(
                "BERT",
                "bert_base",
                "A bidirectional transformer encoder pretrained by filling in masked words; its first "
                "token's vector feeds a small classifier.",
            ),
            Pick(
                "RoBERTa",
                "roberta_base",
                "BERT's architecture, pretrained longer on more text without next-sentence prediction: the "
                "same cost, better scores.",
            ),
            Pick(
                "DistilBERT",
                "distilbert_base",
                "Half of BERT's layers, trained to imitate BERT (distillation): about 40 % smaller and 60 % "
                "faster, most of the accuracy kept.",
                realtime=True,
            ),
        ),
    ),
    GuideRow(
        "Text generation",
        "Text",
        "Decoder-only models for open-ended text; encoder-decoders when an input text conditions the output.",
        (
            Pick(
                "GPT-3",
                "gpt3",
                "A 175-billion-parameter decoder that predicts the next token; it learns a task from a few "
                "examples written in its prompt, without fine-tuning.",
            ),
            Pick(
                "T5",
                "t5_base",
                "An encoder-decoder that treats every task as text in, text out, with the task named in the "
                "input.",
            ),
            Pick(
                "BART",
                "bart_base",
                "An encoder-decoder pretrained to restore corrupted text: strong at summarising and "
                "rewriting.",
            ),
        ),
    ),
    GuideRow(
        "Machine translation",
        "Text",
        "Encoder-decoder transformers: the encoder reads the source sentence, the decoder writes the target.",
        (
            Pick(
                "T5",
                "t5_base",
                "Translation is one more text-to-text task for it ('translate English to German: …').",
            ),
            Pick(
                "mBART",
                None,
                "BART pretrained on monolingual text in 25 languages, then fine-tuned per language pair; it "
                "helps most for language pairs with little parallel text.",
                closest="bart_base",
            ),
            Pick(
                "MarianMT",
                None,
                "Compact transformer encoder-decoders trained on one language pair each: fast, and available "
                "for over a thousand pairs.",
                realtime=True,
                closest="transformer",
            ),
        ),
    ),
    GuideRow(
        "Question answering",
        "Text",
        "An encoder reads question and passage together and marks where the answer starts and ends.",
        (
            Pick("BERT", "bert_base", "Predicts the answer's start and end token in the passage."),
            Pick("RoBERTa", "roberta_base", "The same head on a better-pretrained BERT."),
            Pick(
                "ELECTRA",
                "electra_small",
                "Pretrained to spot replaced tokens, a task that learns from every token rather than the "
                "15 % masked ones: the small model is cheap and still accurate.",
                realtime=True,
            ),
        ),
    ),
    GuideRow(
        "Image generation",
        "Images",
        "GANs sample in one pass; diffusion models take many denoising steps but cover the data more fully.",
        (
            Pick(
                "StyleGAN",
                "stylegan",
                "A mapping network turns noise into a style that modulates each resolution of the generator: "
                "sharp faces, control over coarse and fine features, one pass per image.",
                min_data="large",
                realtime=True,
            ),
            Pick(
                "Stable Diffusion",
                "latent_diffusion",
                "Diffusion run in the small latent space of an autoencoder, guided by a text encoder: "
                "text-to-image at a fraction of pixel-space cost. The atlas's latent diffusion is the same "
                "design at a small size.",
                min_data="large",
            ),
        ),
    ),
    GuideRow(
        "Time-series forecasting",
        "Series",
        "A linear autoregression is the baseline to beat; deep models earn their cost on long, many series.",
        (
            Pick(
                "LSTM",
                "forecast_lstm",
                "Gates keep a memory over many steps; the usual first deep model for a series.",
                min_data="medium",
                realtime=True,
            ),
            Pick(
                "Temporal CNN",
                "forecast_tcn",
                "Causal dilated convolutions: a long receptive field, and trains in parallel over time.",
                min_data="medium",
                realtime=True,
            ),
            Pick(
                "Transformer",
                "forecast_transformer",
                "Self-attention relates any two time steps directly; needs more data than the recurrent "
                "and convolutional models to beat them.",
                min_data="large",
            ),
        ),
    ),
    GuideRow(
        "Speech recognition",
        "Audio",
        "Pretrained on unlabelled or weakly labelled audio, then used as is or fine-tuned.",
        (
            Pick(
                "Wav2Vec 2.0",
                "wav2vec2_base",
                "A CNN over the raw waveform and a transformer, pretrained without labels by a contrastive "
                "task on masked frames; ten minutes of transcribed speech then give a usable recogniser.",
            ),
            Pick(
                "Whisper",
                "whisper_base",
                "A transformer encoder-decoder from log-mel spectrograms to text, trained on 680,000 hours "
                "of transcribed audio from the web: robust, many languages, no fine-tuning.",
            ),
        ),
    ),
)

TASKS: tuple[str, ...] = tuple(r.task for r in GUIDE)
_DATA_ORDER = list(DATA_SIZES)


def row_for(task: str) -> GuideRow:
    for row in GUIDE:
        if row.task == task:
            return row
    raise KeyError(f"no guide row for the task {task!r}; the tasks are: {', '.join(TASKS)}")


def fits(pick: Pick, data: str, latency: str, device: str, cost: dict | None = None) -> tuple[bool, str]:
    """Whether ``pick`` suits the constraints, and a sentence: why not, or a caveat when it fits.

    ``cost`` is the registry's count of the published model (keys ``params``, ``mult_adds``), None where
    the atlas has no published size for it."""
    if _DATA_ORDER.index(data) < _DATA_ORDER.index(pick.min_data):
        return False, f"needs more labelled data: {DATA_SIZES[pick.min_data].lower()} of examples at least"
    if latency == "realtime" and not pick.realtime:
        return False, "too slow for real time"
    if cost is None:
        return True, "no published size in the atlas: check that it fits your device"
    why = DEVICES[device].why_not(int(cost["params"]), int(cost["mult_adds"]))
    return (False, why) if why else (True, "")
