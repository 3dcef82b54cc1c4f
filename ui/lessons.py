"""Lessons: a teacher's script for a family page, walked with Next and Back.

A lesson is 4 to 8 steps; each step is a short text, the page state it sets and what to observe. The
state names widgets by their keys, the same names a link carries (ui/links.py): tabs
(``<page>.tab``, ``<page>.view``), the architecture (``Arch("resnet34")``, the picker's value), form
fields (``<page>.<arch>.<preset>.<field>``) and any other keyed setting. Next sets them (in its callback,
before the page draws), so the page opens the tab and shows the settings the step describes; the rest of
the page is as the class left it. The chosen lesson is itself a setting, so a link can open a lesson.

Write a lesson as data in ``LESSONS`` below, under the page's key prefix; ``tests/test_lessons.py`` walks
every step of every lesson under AppTest and checks that each step's settings hold on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st


@dataclass(frozen=True)
class Arch:
    """An architecture picker's value, by registry name."""

    name: str


@dataclass(frozen=True)
class Step:
    text: str
    observe: str
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[Step, ...]


def resolve(value: Any) -> Any:
    if isinstance(value, Arch):
        from archs.registry import get_arch

        return get_arch(value.name)
    return value


LESSONS: dict[str, tuple[Lesson, ...]] = {
    "ff": (
        Lesson(
            "Why hidden layers? Boundaries a line cannot draw",
            (
                Step(
                    "A perceptron-like network: no hidden layer, the two coordinates as input, on the "
                    "circle data. Press **Train**.",
                    "The boundary stays a straight line: a disc inside a ring cannot be cut by one line; "
                    "test loss stays near chance.",
                    {"ff.tab": "Playground", "pg.data": "circle", "pg.layers": 0, "pg.feats": ["x1", "x2"]},
                ),
                Step(
                    "Give the same network the squared coordinates x₁² and x₂² as extra inputs. "
                    "**Reset**, then **Train**.",
                    "Now a linear cut in (x₁², x₂²) is a circle in the plane: hand-made features do what "
                    "a layer would have to learn.",
                    {"pg.feats": ["x1", "x2", "x1^2", "x2^2"]},
                ),
                Step(
                    "Back to x₁ and x₂ only, with one hidden layer of 4 tanh neurons. **Train**.",
                    "The hidden layer learns its own features: the neuron tiles show four half-planes "
                    "that the output combines into a closed region.",
                    {"pg.feats": ["x1", "x2"], "pg.layers": 1, "pg.w0": 4, "pg.act": "tanh"},
                ),
                Step(
                    "The spiral: two hidden layers of 8. **Train** and watch the boundary bend.",
                    "Depth composes bends: a spiral takes more neurons and more steps; a single layer "
                    "of 4 would not separate it.",
                    {"pg.data": "spiral", "pg.layers": 2, "pg.w0": 8, "pg.w1": 8},
                ),
                Step(
                    "Now a learning rate of 3 on the same network. **Train**.",
                    "Too large a step makes the loss jump instead of fall: the boundary flickers and the "
                    "run may end failed. Choosing η is part of the design.",
                    {"pg.lr": 3.0},
                ),
            ),
        ),
    ),
    "cnn": (
        Lesson(
            "Convolution, step by step, then why residual connections",
            (
                Step(
                    "One 3×3 kernel over a digit: the vertical-edge filter.",
                    "The output map is bright where the intensity changes from left to right: the same "
                    "nine weights test every position (weight sharing).",
                    {"cnn.tab": "Convolution", "cnn.x.kernel": "vertical edge (Sobel x)"},
                ),
                Step(
                    "Stride 2: the kernel jumps two pixels.",
                    "The output shrinks to about half in each direction: the output-size formula "
                    "⌊(n + 2p − k)/s⌋ + 1 below the maps says by how much.",
                    {"cnn.x.stride": 2},
                ),
                Step(
                    "ResNet-34 on the Summary tab.",
                    "Parameters and mult-adds per layer: most weights sit in the last stages, most "
                    "computation in the first ones (large maps).",
                    {"cnn.tab": "Architectures", "cnn.arch": Arch("resnet34"), "cnn.view": "Summary"},
                ),
                Step(
                    "The degradation experiment with 5 blocks per stage (32 layers). Press **Train**.",
                    "The plain stack's training loss stays above its residual twin's although it has the "
                    "same layers: deeper plain networks are harder to optimise, not overfitting.",
                    {"cnn.tab": "Degradation", "cnn.deg.n": 5},
                ),
                Step(
                    "The family chart: every canonical CNN by parameters and mult-adds.",
                    "EfficientNets reach higher accuracy with fewer parameters than VGG: compound scaling "
                    "and depthwise convolutions.",
                    {"cnn.tab": "Family chart"},
                ),
            ),
        ),
    ),
    "rnn": (
        Lesson(
            "Remembering over time: RNN, LSTM and GRU",
            (
                Step(
                    "The LSTM unrolled over time on the Graph tab.",
                    "One cell applied at every step with the same weights; the cell state runs along the "
                    "top, changed only by the gates.",
                    {"rnn.tab": "Graph", "rnn.arch": Arch("lstm")},
                ),
                Step(
                    "The memory race at a lag of 10 steps: copy a symbol seen 10 steps earlier. Press "
                    "**Train**.",
                    "All three cells solve a short lag.",
                    {
                        "rnn.tab": "Train / Experiments",
                        "rnn.exp": "Memory: RNN vs LSTM vs GRU",
                        "rnn.m.lag": 10,
                    },
                ),
                Step(
                    "The same task with a lag of 60. **Train** again.",
                    "The plain RNN stays at chance while the LSTM and GRU learn: their additive cell "
                    "update lets the gradient reach 60 steps back.",
                    {"rnn.m.lag": 60},
                ),
                Step(
                    "Gradients on the Internals tab.",
                    "The gradient reaching earlier steps shrinks geometrically for the plain RNN: the "
                    "vanishing gradient, measured.",
                    {"rnn.tab": "Internals", "rnn.arch": Arch("rnn")},
                ),
            ),
        ),
    ),
    "fc": (
        Lesson(
            "Forecasting honestly: baselines first",
            (
                Step(
                    "A seasonal series with trend and noise.",
                    "The split is by time: validation and test come after training, never shuffled in.",
                    {"fc.tab": "Data", "fc.d.series": "seasonal"},
                ),
                Step(
                    "Compare an LSTM, a GRU and the linear AR model. Press **Run comparison**.",
                    "The table scores every model against persistence (tomorrow = today): a model that "
                    "does not beat it has learned nothing useful.",
                    {"fc.tab": "Compare"},
                ),
                Step(
                    "An AR(3) process instead.",
                    "On a linear process the linear AR model is hard to beat: capacity is not accuracy.",
                    {"fc.tab": "Data", "fc.d.series": "ar"},
                ),
                Step(
                    "Sweep the LSTM's hidden size. Press **Run sweep**.",
                    "Test error against one hyperparameter: where more capacity stops helping.",
                    {"fc.tab": "Sweep"},
                ),
            ),
        ),
    ),
    "tx": (
        Lesson(
            "Attention, from one sentence to whole models",
            (
                Step(
                    "One attention layer on a sentence.",
                    "Each row of the softmax map is one token's mix of the others: the weights of the "
                    "weighted sum of values.",
                    {
                        "tx.tab": "Attention explained",
                        "tx.ex.text": "the cat sat on the mat",
                        "tx.ex.causal": False,
                    },
                ),
                Step(
                    "Turn on the causal mask.",
                    "The upper triangle is empty: a decoder may not look at later tokens, which is what "
                    "lets it generate left to right.",
                    {"tx.ex.causal": True},
                ),
                Step(
                    "Encoder, decoder, both.",
                    "BERT reads both ways, GPT only backwards, T5 and BART do both with cross-attention.",
                    {"tx.tab": "Encoder · decoder · both"},
                ),
                Step(
                    "GPT-2 small on the Summary tab.",
                    "124 M parameters: the embeddings are a large share; every block is the same.",
                    {"tx.tab": "Architectures", "tx.arch": Arch("gpt2_small"), "tx.view": "Summary"},
                ),
            ),
        ),
    ),
    "ae": (
        Lesson(
            "From compressing to generating: AE, VAE, VQ-VAE",
            (
                Step(
                    "A plain autoencoder on the Reconstructions tab (load the demo model or train).",
                    "The bottleneck forces a summary: digits come back blurred but recognisable.",
                    {"ae.arch": Arch("autoencoder"), "ae.tab": "Reconstructions"},
                ),
                Step(
                    "A VAE's latent space.",
                    "The KL term packs the codes around the origin, so points between digits decode to "
                    "plausible digits: a space you can sample.",
                    {"ae.arch": Arch("vae"), "ae.tab": "Latent space"},
                ),
                Step(
                    "Anomaly detection with the same model.",
                    "Inputs unlike the training data reconstruct badly: the error is the anomaly score.",
                    {"ae.tab": "Anomaly detection"},
                ),
                Step(
                    "The autoencoder against PCA.",
                    "PCA is the best linear autoencoder; a nonlinear one reconstructs better at the same "
                    "code size.",
                    {"ae.tab": "AE vs PCA"},
                ),
            ),
        ),
    ),
    "gan": (
        Lesson(
            "A two-player game you can watch",
            (
                Step(
                    "The 2-D lab on a ring of 8 Gaussians with the non-saturating loss. Press **Train**.",
                    "D's heatmap marks where it believes data is; G's points move up its gradient.",
                    {"gan.tab": "2-D lab", "gan.lab.target": "ring8", "gan.lab.loss": "non_saturating"},
                ),
                Step(
                    "The minimax loss as in the original paper. **Reset**, then **Train**.",
                    "Early on D rejects G's samples easily and G's gradient is flat: learning stalls or "
                    "covers few modes.",
                    {"gan.lab.loss": "minimax"},
                ),
                Step(
                    "The Wasserstein loss with gradient penalty and 5 D steps per G step.",
                    "A critic instead of a classifier: steadier progress and more modes covered.",
                    {"gan.lab.loss": "wgan_gp", "gan.lab.kd": 5},
                ),
                Step(
                    "DCGAN's two players on the Architectures tab.",
                    "G up-samples with transposed convolutions, D is a mirror-image classifier.",
                    {"gan.tab": "Architectures", "gan.arch": Arch("dcgan")},
                ),
            ),
        ),
    ),
    "dif": (
        Lesson(
            "Noise in, data out",
            (
                Step(
                    "The forward process at step 100 with the linear schedule.",
                    "A little noise: the digit is still clear. ᾱₜ says how much signal is left.",
                    {"dif.tab": "Forward process", "dif.scr.sched": "linear", "dif.scr.t": 100},
                ),
                Step(
                    "Step 600.",
                    "Almost pure noise already: the linear schedule destroys the signal early.",
                    {"dif.scr.t": 600},
                ),
                Step(
                    "The cosine schedule at the same step.",
                    "More signal is left: fewer steps are wasted on pure noise.",
                    {"dif.scr.sched": "cosine"},
                ),
                Step(
                    "The 2-D lab. Press **Train**.",
                    "The arrows are the learned noise direction: reverse steps follow them from noise "
                    "back to the data.",
                    {"dif.tab": "2-D lab"},
                ),
                Step(
                    "Digits: sample with the demo model.",
                    "The trajectory from $x_T$ to $x_0$ shows structure appearing from coarse to fine.",
                    {"dif.tab": "Digits"},
                ),
            ),
        ),
    ),
    "gnn": (
        Lesson(
            "Message passing: what a node hears, layer by layer",
            (
                Step(
                    "The karate club, node 0 (the instructor), layer 1. Look at the graph and at the "
                    "messages.",
                    "One layer reaches only direct friends: one message row per neighbour, plus the node's "
                    "own through its self-loop. Each is scaled by 1/√(d̂ᵥ d̂ᵤ): a friend with many friends "
                    "speaks more softly.",
                    {"gnn.tab": "Message passing", "gnn.mp.node": 0, "gnn.mp.k": 1},
                ),
                Step(
                    "Move to layer 2.",
                    "The receptive field grows by one hop per layer: friends of friends now reach node 0, "
                    "through the states its friends computed in layer 1.",
                    {"gnn.mp.k": 2},
                ),
                Step(
                    "Node 33 (the officer), layer 3.",
                    "Three layers reach almost the whole club. The 2-D output below comes from random "
                    "weights, yet the two factions already lie apart: the graph's structure does much of "
                    "the work before any training.",
                    {"gnn.mp.node": 33, "gnn.mp.k": 3},
                ),
                Step(
                    "Now the attention network (GAT) under Architectures → Graph.",
                    "Each graph attention layer is one node of the layer graph: inside it, every edge "
                    "gets a learned weight, a softmax over the node's neighbours, with several heads side "
                    "by side.",
                    {"gnn.tab": "Architectures", "gnn.arch": Arch("gat"), "gnn.view": "Graph"},
                ),
                Step(
                    "GIN under Architectures → Summary.",
                    "The parameters do not depend on the graph: the same weights serve a molecule of 10 "
                    "atoms or a network of a million nodes. The mult-adds, counted per node, do.",
                    {"gnn.arch": Arch("gin"), "gnn.view": "Summary"},
                ),
            ),
        ),
    ),
    "energy": (
        Lesson(
            "Memories as valleys of an energy",
            (
                Step(
                    "The Hopfield tab: four letters stored, one of them with 20 % of its pixels flipped.",
                    "Each asynchronous update flips at most one neuron, and the energy curve never rises: "
                    "the state rolls downhill into the valley of the stored letter.",
                    {
                        "energy.tab": "Hopfield",
                        "energy.hop.kind": "Letters",
                        "energy.hop.k.Letters": 4,
                        "energy.hop.noise": 20,
                    },
                ),
                Step(
                    "Store eight letters.",
                    "Letters share strokes, so their valleys merge: recall often ends in a mixture, a "
                    "spurious memory, long before the 0.14 N of random patterns. The capacity curve below "
                    "shows the cliff.",
                    {"energy.hop.k.Letters": 8},
                ),
                Step(
                    "The RBM tab. Press **Train**.",
                    "The hidden units' filters turn from noise into strokes, and the Gibbs chain's fantasies "
                    "start to look like digits: the model has lowered the energy of digit-like images.",
                    {"energy.tab": "RBM"},
                ),
                Step(
                    "The DBN tab.",
                    "Three RBMs are trained one after another, each on the codes of the one below; "
                    "backpropagation then fine-tunes the stack. With few labels, the pre-trained start wins.",
                    {"energy.tab": "DBN"},
                ),
                Step(
                    "The ESN tab at spectral radius 0.9.",
                    "Only the readout is trained, yet the forecast follows the chaotic series: the "
                    "reservoir's state is an echo of the input's recent past, and two runs from different "
                    "starts meet.",
                    {"energy.tab": "ESN", "energy.esn.rho": 0.9},
                ),
                Step(
                    "Raise ρ to 1.8.",
                    "The reservoir now has dynamics of its own: the two runs no longer meet, and the "
                    "forecast error grows. The echo-state property is lost.",
                    {"energy.esn.rho": 1.8},
                ),
            ),
        ),
    ),
    "rl": (
        Lesson(
            "From a table of values to a policy network",
            (
                Step(
                    "The GridWorld with Q-learning. Press **Train** and watch the two grids.",
                    "Values spread backwards from the goal, one step further with each episode that reaches "
                    "it; the greedy arrows follow the values and end up matching value iteration's.",
                    {"rl.tab": "GridWorld", "rl.g.method": "Q-learning", "rl.g.eps": "1 → 0.05"},
                ),
                Step(
                    "Switch to SARSA with ε held at 0.5 and train again.",
                    "SARSA learns the value of the policy it follows, random steps included: next to the pit "
                    "a random step is costly, so its arrows keep a wider berth than Q-learning's.",
                    {"rl.g.method": "SARSA", "rl.g.eps": "0.5"},
                ),
                Step(
                    "The Agent tab: PPO on CartPole. Press **Train**.",
                    "The return per episode climbs towards the green line (475: solved). Inside the network, "
                    "P(push right) turns into a diagonal boundary: push towards the side the pole is falling "
                    "to, sooner when it falls fast.",
                    {"rl.tab": "Agent", "rl.a.recipe": "ppo_cartpole"},
                ),
                Step(
                    "The Watch tab: record an episode and drag the frame slider.",
                    "Untrained, the pole falls within a few dozen steps; after training the cart makes small "
                    "corrections and the episode lasts the full 500 steps.",
                    {"rl.tab": "Watch"},
                ),
                Step(
                    "DQN on the same task, in the Agent tab.",
                    "No policy here: the network scores each action, Q(s, left) and Q(s, right), and the "
                    "agent takes the better one; ε, the rate of random actions, decays as it learns.",
                    {"rl.tab": "Agent", "rl.a.recipe": "dqn_cartpole"},
                ),
                Step(
                    "The Nature DQN under Architectures → Summary.",
                    "Three convolutions read four stacked 84×84 frames of an Atari game; one hidden layer "
                    "of 512 units scores the 18 joystick actions: 1.69 million parameters, most of them in "
                    "the first fully connected layer.",
                    {
                        "rl.tab": "Architectures",
                        "rl.arch": Arch("dqn_atari"),
                        "rl.dqn_atari.preset": "canonical",
                        "rl.view": "Summary",
                    },
                ),
            ),
        ),
    ),
    "det": (
        Lesson(
            "Where is it? Boxes, overlaps and two ways to detect",
            (
                Step(
                    "The IoU & NMS tab: move box B's corners until it overlaps box A by about half.",
                    "IoU is the shared area over the covered area: it reaches 0.5 only when B covers most "
                    "of A. Two boxes of the same size shifted by a third of their width already fall to 0.5.",
                    {"det.tab": "IoU & NMS"},
                ),
                Step(
                    "Below, step the NMS slider from 0 to the end.",
                    "The detector fires several boxes on each object. Each step keeps the best remaining box "
                    "and removes the boxes of its class that overlap it more than the threshold: one box per "
                    "object is left.",
                    {"det.nms.step": 0},
                ),
                Step(
                    "Raise the NMS IoU threshold to 0.9.",
                    "Hardly anything is suppressed any more: duplicates survive as false positives, and the "
                    "precision–recall curve sinks, and AP with it.",
                    {"det.nms.iou_thr": 0.9},
                ),
                Step(
                    "The Anchors tab: try a few scenes and objects.",
                    "Each object is learned by one prediction among 10,647: the anchor whose shape fits it "
                    "best, in the cell of its centre. Small objects land on the fine stride-8 grid, large "
                    "ones on the coarse stride-32 grid.",
                    {"det.tab": "Anchors"},
                ),
                Step(
                    "The Two-stage tab.",
                    "Mask R-CNN first proposes many boxes without naming them, keeps the best after NMS, "
                    "then crops each one's features (RoI Align) from the pyramid level that suits its "
                    "size, and only then classifies, refines and paints a mask.",
                    {"det.tab": "Two-stage"},
                ),
                Step(
                    "The Train tab: YOLO on shape scenes. Press **Train**.",
                    "At first boxes appear everywhere with low scores; the objectness loss falls first, then "
                    "boxes settle on the shapes and mAP@0.5 climbs.",
                    {"det.tab": "Train", "det.train.recipe": "YOLO (one stage)"},
                ),
                Step(
                    "Switch the recipe to U-Net and train it.",
                    "A segmenter labels every pixel: the masks are ragged at first, then the outlines "
                    "sharpen thanks to the skip connections, and mIoU passes 0.8.",
                    {"det.train.recipe": "U-Net (semantic)"},
                ),
            ),
        ),
    ),
    "audio": (
        Lesson(
            "Listening machines: spectrograms, keywords and CTC",
            (
                Step(
                    "The Spectrograms tab with Whisper's front end: 25 ms windows every 10 ms, 80 mel bands.",
                    "The word 'seven' is a hiss (s), a voiced stretch with moving bright bands (the "
                    "formants), and a nasal tail: 100 frames per second, low bands narrow, high bands wide.",
                    {"audio.tab": "Spectrograms", "audio.spec.nfft": 400, "audio.spec.win": 400,
                     "audio.spec.hop": 160, "audio.spec.mels": 80},
                ),
                Step(
                    "Shorten the window to 128 samples (8 ms) and the FFT size to 128.",
                    "Time gets sharper (the start of each sound is crisp) and frequency blurs: the "
                    "harmonics of the voice melt into one band. The STFT cannot be sharp in both.",
                    {"audio.spec.nfft": 128, "audio.spec.win": 128},
                ),
                Step(
                    "The Keyword spotting tab. Press **Train**.",
                    "Held-out accuracy passes 95 % within 300 steps (0.996 in the test); the confusion "
                    "matrix fills its diagonal, and the accuracy-against-noise curve stays high down to "
                    "about 10 dB, then falls towards chance at 0 dB.",
                    {"audio.tab": "Keyword spotting", "audio.kws.snr": 20},
                ),
                Step(
                    "The CTC tab. Press **Train** and watch the probability map.",
                    "First the model says blank everywhere; then one spike per letter appears, and the "
                    "orange best path steps through the letters of the reference. The character error "
                    "rate falls under 10 % in 300 steps (0.0 in the test).",
                    {"audio.tab": "CTC", "audio.ctc.hidden": 64},
                ),
                Step(
                    "The Wav2Vec 2.0 tab: move the frame slider along the word.",
                    "Each frame of the feature encoder sees 400 samples (25 ms) and the next one starts 320 "
                    "samples (20 ms) later; in pre-training about half the frames are hidden in spans of 10, "
                    "and the model must pick each hidden frame's true quantised sound among distractors.",
                    {"audio.tab": "Wav2Vec 2.0"},
                ),
                Step(
                    "The Whisper tab. Press **Train**.",
                    "A tiny encoder-decoder learns to write the words it hears: the word error rate falls "
                    "from 1 to about 0.02 in 350 steps, and each written word's cross-attention settles on "
                    "the stretch of frames where that word is spoken.",
                    {"audio.tab": "Whisper"},
                ),
                Step(
                    "The Architectures tab: res8, the keyword-spotting CNN of Tang & Lin.",
                    "110,307 weights, as in the paper's Table 1 (110K): a 3×3 conv stem, an average pool, "
                    "three residual pairs and a mean over the whole spectrogram.",
                    {"audio.tab": "Architectures", "audio.arch": Arch("kws_cnn")},
                ),
                Step(
                    "The same tab with Graves et al.'s bidirectional LSTM for CTC (canonical).",
                    "Three bidirectional layers of 250 peephole LSTM units on 123 features: 3,787,562 "
                    "weights, the paper's 3.8M.",
                    {"audio.arch": Arch("ctc_bilstm")},
                ),
            ),
        ),
    ),
    "beyond": (
        Lesson(
            "Past attention: experts, state spaces and memory",
            (
                Step(
                    "The Experts tab, with the load-balancing loss at α = 0.01. Press **Train**.",
                    "Each MoE layer starts sending most characters to a few experts; as the balancing loss "
                    "pulls, the bars even out towards the fair share 1/E and the busiest expert's share "
                    "falls below twice fair (1.35× after 100 steps in this page's test).",
                    {
                        "beyond.tab": "Experts",
                        "beyond.moe.balance": "α = 0.01 (Switch)",
                        "beyond.moe.experts": 8,
                        "beyond.moe.topk": 2,
                    },
                ),
                Step(
                    "Switch the balancing loss off and press **Train** again.",
                    "Nothing now stops the rich from getting richer: one expert ends up in almost every "
                    "character's pair, its share near E/k = 4 times fair (3.99× in the test), and the "
                    "first run's dashed line stays far below it.",
                    {"beyond.moe.balance": "off (α = 0)"},
                ),
                Step(
                    "The State spaces tab, with a unit impulse as the input.",
                    "The output of a state-space layer to an impulse is its kernel K̄: the line and the "
                    "markers coincide, and the convolution and the recurrence differ only by rounding "
                    "(below 1e-14 in 64-bit floats).",
                    {"beyond.tab": "State spaces", "beyond.ssm.signal": "a unit impulse", "beyond.ssm.n": 16},
                ),
                Step(
                    "Selective copying with Mamba. Press **Train**.",
                    "The accuracy on the answer tokens climbs past 90 % (0.997 after 350 steps in the "
                    "test). Below the example, Δ, B and C change with every token: Mamba decides per "
                    "token, channel by channel, what enters its state.",
                    {"beyond.sel.model": "Mamba (selective)"},
                ),
                Step(
                    "The same task with S4, of about the same size. Press **Train**.",
                    "S4 stalls near half right (0.54 in the test): one fixed kernel cannot know where the "
                    "tokens to remember will be.",
                    {"beyond.sel.model": "S4 (time-invariant)"},
                ),
                Step(
                    "The RWKV tab, with 12 layers.",
                    "The parallel and the recurrent forms give the same log-probabilities; the decays of "
                    "the first layer range from fast to slow, and deeper layers keep more slow channels.",
                    {"beyond.tab": "RWKV", "beyond.rwkv.layers": 12},
                ),
                Step(
                    "The Memory tab: train the neural Turing machine, then the LSTM.",
                    "Both copy the lengths they were trained on (1 to 4); at lengths 6 and 8 the LSTM "
                    "gets many bits wrong (6.8 and 12.6 of 12 and 16 in a 500-step run) while the NTM, "
                    "which writes each vector to its own row and reads the rows back in order, stays "
                    "near 1 and 3. Its write and read weightings move along the rows like a tape head.",
                    {"beyond.tab": "Memory", "beyond.mem.model": "Neural Turing machine"},
                ),
            ),
        ),
    ),
    "ssl": (
        Lesson(
            "Learning without labels, and checking what was learned",
            (
                Step(
                    "The Augmentations tab: coloured shapes with crop, flip and colour jitter.",
                    "Each column's two views differ in place, size and colour, yet show the same kind of "
                    "shape: that kind is all the encoder can rely on to match them.",
                    {
                        "ssl.tab": "Augmentations",
                        "ssl.aug.data": "coloured shapes",
                        "ssl.aug.ops": ["crop", "flip", "jitter"],
                    },
                ),
                Step(
                    "The NT-Xent tab, views embedded by their raw pixels, τ = 0.5.",
                    "Raw pixels miss the twin: in only 1 of the 12 rows is the ringed positive the most "
                    "similar view, and the loss, 2.93, is worse than a blind guess's log 11 = 2.40: in "
                    "pixels, two views of one shape are less alike than two different images.",
                    {"ssl.tab": "NT-Xent", "ssl.nt.emb": "raw pixels (centred)", "ssl.nt.tau": 0.5},
                ),
                Step(
                    "Lower the temperature to τ = 0.05.",
                    "Each row's softmax now puts almost all its mass on its single most similar view: the "
                    "row whose nearest view is its twin costs almost nothing, the others many times more, "
                    "and the loss jumps to 14.3. A small τ makes the loss look at the hardest negatives.",
                    {"ssl.nt.tau": 0.05},
                ),
                Step(
                    "The Train tab: SimCLR on the shapes. Press **Train**.",
                    "No label is used, yet points of one kind of shape begin to group in the held-out "
                    "embeddings; alignment falls while uniformity stays low, and the linear probe climbs far "
                    "above what it reads from raw pixels (press **Measure the baselines** when it is done).",
                    {"ssl.tab": "Train", "ssl.t.method": "SimCLR"},
                ),
                Step(
                    "The Collapse tab: BYOL as published. Press **Train**.",
                    "No negatives at all, yet the embeddings keep their spread (its line on the "
                    "spread chart stays well above 0): the predictor and the slowly moving target keep BYOL "
                    "from the trivial answer.",
                    {"ssl.tab": "Collapse", "ssl.col.variant": "BYOL (predictor and stop-gradient)"},
                ),
                Step(
                    "Now without the stop-gradient. Press **Train** again.",
                    "The spread falls towards 0 beside the first run's line and the embeddings shrink to a "
                    "point: the loss is near 0 too, a perfect score for an encoder that says nothing.",
                    {"ssl.col.variant": "without the stop-gradient"},
                ),
                Step(
                    "The MAE tab: press **Train**, then move the mask ratio shown.",
                    "From 75 % hidden patches the reconstructions recover each digit's strokes; with few "
                    "patches hidden the task is easy, with 90 % hidden the model must guess the digit.",
                    {"ssl.tab": "MAE", "ssl.mae.ratio": 0.75},
                ),
                Step(
                    "SimCLR at its published size, under Architectures → Summary.",
                    "A ResNet-50 and the 2048 → 2048 → 128 projection head: 27,968,704 parameters, of which "
                    "the head, thrown away after training, holds 4,460,672.",
                    {
                        "ssl.tab": "Architectures",
                        "ssl.arch": Arch("simclr"),
                        "ssl.simclr.preset": "canonical",
                        "ssl.view": "Summary",
                    },
                ),
            ),
        ),
    ),
    "multimodal": (
        Lesson(
            "CLIP: one space for images and captions",
            (
                Step(
                    "The Idea tab: the symmetric contrastive loss.",
                    "Each row of the similarity matrix is a softmax over captions for one image, each "
                    "column a softmax over images for one caption; the temperature τ divides every "
                    "similarity and is itself learned, starting at 0.07.",
                    {"multimodal.tab": "Idea"},
                ),
                Step(
                    "The CLIP tab, batch size 128, starting temperature 0.07. Press **Train**.",
                    "The eight images are of shape-colour combinations the model never sees in training; "
                    "their diagonal, the true pairs, lights up within a hundred steps. The zero-shot "
                    "accuracy passes 80 % near step 100 and 95 % by step 150 (0.996 at step 150 in "
                    "the recipe's test), from 1 in 6 by chance.",
                    {"multimodal.tab": "CLIP", "multimodal.clip.batch": 128, "multimodal.clip.temp": 0.07},
                ),
                Step(
                    "Look at the temperature while it trains.",
                    "τ falls from 0.07 (0.058 after 200 steps): as the model gets the pairs right, a "
                    "sharper softmax makes the remaining near misses cost more.",
                    {"multimodal.tab": "CLIP"},
                ),
                Step(
                    "Start again with a starting temperature of 1.0. **Reset**, then **Train**.",
                    "With τ = 1 the cosine similarities, between −1 and 1, hardly separate in the softmax: "
                    "after 200 steps the loss is still near 3.8 (0.44 with τ = 0.07) and τ has only crept "
                    "down to 0.8, which is why CLIP starts at 0.07.",
                    {"multimodal.clip.temp": 1.0},
                ),
                Step(
                    "Back to τ = 0.07 and trained; then the Zero-shot & retrieval tab with the prompt "
                    "'a red circle at the top left'.",
                    "A red circle never appears in training, yet the red circle at the top left comes first "
                    "(cosine 0.98 after 200 steps) and the one at the top second: the text tower composes "
                    "'red' and 'circle', learned apart, into the right point. Then come images that share "
                    "only the position or the colour.",
                    {
                        "multimodal.clip.temp": 0.07,
                        "multimodal.tab": "Zero-shot & retrieval",
                        "multimodal.zs.prompt": "a red circle at the top left",
                    },
                ),
                Step(
                    "The DALL-E tab. Press **Train** (2,000 steps: a VQ-VAE first, then the transformer).",
                    "For the first 1,200 steps the VQ-VAE learns to rebuild each 32×32 scene from an 8×8 "
                    "grid of codes, and the code-usage bars spread as unused codes restart; then the "
                    "transformer learns to write those 64 codes after the caption's words, and the samples "
                    "for the fixed captions turn from noise into the named shapes (79 % recognised by a "
                    "shape classifier in the test).",
                    {"multimodal.tab": "DALL-E"},
                ),
                Step(
                    "The Architectures tab: CLIP ViT-B/32 at its canonical size.",
                    "Two towers, a 12-block ViT of width 768 and a 12-block causal text transformer of "
                    "width 512, with their projections and the temperature: 151,277,313 parameters, as "
                    "released.",
                    {"multimodal.tab": "Architectures", "multimodal.arch": Arch("clip_vit_b_32")},
                ),
            ),
        ),
    ),
    "continuous": (
        Lesson(
            "Networks as functions: ODE, KAN, NeRF",
            (
                Step(
                    "The Idea tab: dz/dt = f(z, t, θ), the Kolmogorov-Arnold sum and γ(p).",
                    "A residual block is one Euler step of an ODE; a KAN's edges are functions of one "
                    "variable; NeRF lifts each coordinate to sines and cosines before its MLP.",
                    {"continuous.tab": "Idea"},
                ),
                Step(
                    "The Neural ODE tab. Press **Train**.",
                    "The grey arrows of the learned field turn to follow the green spiral. Both models fit "
                    "the short segments; along the whole path from z(0) the ResNet with the same 252 "
                    "parameters drifts further (0.51 against the ODE's 0.18 after 200 steps in the test).",
                    {"continuous.tab": "Neural ODE"},
                ),
                Step(
                    "The Tolerance & NFE tab. Type rtol = 1e-6, then 1e-2.",
                    "The solver takes more evaluations of f as the tolerance falls (from about 30 at 1e-1 "
                    "to a few hundred at 1e-6): the depth of a neural ODE is chosen by the accuracy asked.",
                    {"continuous.tab": "Tolerance & NFE", "continuous.nfe.rtol": 1e-6},
                ),
                Step(
                    "The KAN tab: grid G = 5, cubic splines. Press **Train**, then read the edges back.",
                    "The test RMSE falls below 0.05 by step 200 (0.011 after 600). Edges from x look like "
                    "sin(πx), edges from y like y²: the read-back names them with R² near 1.",
                    {
                        "continuous.tab": "KAN",
                        "continuous.kan.grid": 5,
                        "continuous.kan.order": 3,
                        "continuous.kan.symbolic": True,
                    },
                ),
                Step(
                    "Set the grid size to 0.",
                    "Refused with a sentence: a spline needs at least one interval of its grid to bend in.",
                    {"continuous.tab": "KAN", "continuous.kan.grid": 0},
                ),
                Step(
                    "The NeRF tab, L = 6. Press **Train**.",
                    "The network on raw (x, y) stays a blur near 11.7 dB; with γ(p) the rings and the "
                    "checkerboard appear, 20.9 dB after 600 steps (21.3 dB with L = 10, 11.9 with L = 1).",
                    {"continuous.tab": "NeRF", "continuous.kan.grid": 5, "continuous.nerf.freqs": 6},
                ),
                Step(
                    "The Architectures tab: NeRF at its canonical size.",
                    "Fig. 7 of the paper: 8 layers of 256 with γ(x) joining again at the fifth, σ, a "
                    "128-wide direction branch and RGB: 593,924 parameters.",
                    {"continuous.tab": "Architectures", "continuous.arch": Arch("nerf")},
                ),
            ),
        ),
    ),
    "capsules": (
        Lesson(
            "Capsules: lengths, routing and what the 16 numbers mean",
            (
                Step(
                    "The Idea tab: the squash, routing by agreement and the margin loss.",
                    "A capsule's length is a probability (the squash maps it into [0, 1)); each child "
                    "capsule's coupling coefficients sum to 1 over the parents and start uniform.",
                    {"capsules.tab": "Idea"},
                ),
                Step(
                    "The Train tab with its defaults (3 routing iterations, reconstruction weight 0.005, "
                    "300 steps). Press **Train**.",
                    "Test accuracy 97.2 % at step 100 and 98.3 % at step 300 (measured, seed 0); the "
                    "diagonal of the lengths grows to one long capsule per digit, and the reconstructions "
                    "below the digits sharpen.",
                    {"capsules.tab": "Train", "capsules.lab.iters": 3, "capsules.lab.recon": 0.005},
                ),
                Step(
                    "The Routing tab, test digit #0 (a 2), then watch 10 routing iterations instead of 3.",
                    "In three iterations the coupling hardly leaves the uniform 1/10 (mean entropy 2.287 "
                    "against ln 10 = 2.303); by iteration 10 (1.80) most active children send their vote to "
                    "parent 2: agreement feeds on itself.",
                    {"capsules.tab": "Routing", "capsules.route.digit": 0, "capsules.route.iters": 10},
                ),
                Step(
                    "The Dimensions tab, sweep range ±0.5.",
                    "Each row moves one of the 16 numbers of the digit's capsule: some rows hardly change "
                    "the 2, others redraw its strokes (up to 0.31 mean pixel change across a row), the "
                    "paper's Fig. 4 in miniature.",
                    {"capsules.tab": "Dimensions", "capsules.dims.span": 0.5},
                ),
                Step(
                    "Back to Train: routing iterations 1 (no routing at all). **Reset**, then **Train**.",
                    "98.6 % after 300 steps, as good as with three iterations and a third faster: in "
                    "this small model the votes alone decide. Paik et al. (2019) found the same on "
                    "MNIST-sized tasks.",
                    {"capsules.tab": "Train", "capsules.lab.iters": 1},
                ),
                Step(
                    "Routing iterations 3 again, reconstruction weight 0. **Reset**, then **Train**.",
                    "Accuracy is unchanged (98.6 %), but nothing asks the capsule to describe the digit: "
                    "the decoder stays blank (squared error 11.3 per digit against 1.7) and every row of "
                    "the Dimensions tab is the same picture.",
                    {"capsules.tab": "Train", "capsules.lab.iters": 3, "capsules.lab.recon": 0.0},
                ),
                Step(
                    "The Architectures tab: CapsNet's canonical preset, under Summary.",
                    "The MNIST model: Conv1 20,992, PrimaryCaps 5,308,672, the 11,520 vote matrices "
                    "1,474,560 and the decoder 1,411,344: 8,215,568 parameters, the paper's 8.2M.",
                    {
                        "capsules.tab": "Architectures",
                        "capsules.arch": Arch("capsnet"),
                        "capsules.capsnet.preset": "canonical",
                        "capsules.view": "Summary",
                    },
                ),
            ),
        ),
    ),
    "autoregressive": (
        Lesson(
            "One value at a time: PixelCNN and WaveNet",
            (
                Step(
                    "The Idea tab: the chain rule as a model.",
                    "p(x) is the product of every value's distribution given the values before it; the loss "
                    "is the exact negative log-likelihood, read in bits per value.",
                    {"autoregressive.tab": "Idea"},
                ),
                Step(
                    "The PixelCNN tab, masks of size 5.",
                    "Mask A (first layer) zeroes the centre and everything after it in raster order: 12 of "
                    "25 weights kept. Mask B keeps the centre too, 13.",
                    {"autoregressive.tab": "PixelCNN", "autoregressive.px.mk": 5},
                ),
                Step(
                    "What one output pixel sees: 3 residual blocks, pixel (10, 8).",
                    "Measured from gradients: 78 earlier pixels reach it, nothing after it does, and 6 "
                    "pixels up and to the right are within the kernels' reach yet unseen, the blind spot.",
                    {"autoregressive.px.fl": 3, "autoregressive.px.row": 10, "autoregressive.px.col": 8},
                ),
                Step(
                    "Eight residual blocks.",
                    "The field grows to 158 pixels, and the blind spot with it (10 pixels): stacking masked "
                    "kernels never fills the wedge, which is why the Gated PixelCNN uses two stacks.",
                    {"autoregressive.px.fl": 8},
                ),
                Step(
                    "Train on 4-level digits (600 steps), then move the Pixels drawn slider.",
                    "The independent model costs 1.149 bits per pixel on the test digits; the PixelCNN "
                    "passes it within 100 steps (0.92) and ends near 0.82 (0.809 at step 400, then it "
                    "starts to overfit). The slider replays one draw: each pixel is one forward pass.",
                    {"autoregressive.px.levels": 4, "autoregressive.px.steps": 600},
                ),
                Step(
                    "The WaveNet tab: 10 layers per cycle.",
                    "Dilations 1 … 512 with kernels of 2: the last output sees 1,025 samples, and the "
                    "gradients of a real WaveNet reach exactly as far as the formula says.",
                    {"autoregressive.tab": "WaveNet", "autoregressive.wn.cycle": 10},
                ),
                Step(
                    "μ-law with 16 levels.",
                    "On a quiet note (peak 0.08) μ-law keeps a signal-to-noise ratio of 11.5 dB where "
                    "equal steps give 3.7 dB: the logarithm spends the levels where quiet sounds live.",
                    {"autoregressive.wn.levels": 16},
                ),
                Step(
                    "Train on tones (600 steps) and continue a test note.",
                    "The level histogram costs 5.54 bits per sample; the WaveNet reaches 1.8 by step 200 "
                    "and 1.6 by step 400. Fed its own samples, it continues notes it never heard with a "
                    "relative error near 0.25 by step 400 (silence scores 1): the right pitch, in phase.",
                    {"autoregressive.wn.steps": 600, "autoregressive.wn.harm": 0},
                ),
            ),
        ),
    ),
    "flows": (
        Lesson(
            "Normalizing flows: bending a Gaussian into data",
            (
                Step(
                    "The Idea tab: the change of variables.",
                    "log p(x) is the Gaussian's log-density of z = f(x) plus the log-determinants of the "
                    "layers; a coupling layer keeps that sum cheap, Σ s, because its Jacobian is triangular.",
                    {"flows.tab": "Idea"},
                ),
                Step(
                    "The 2-D lab: two moons, RealNVP with 6 coupling layers. Press **Train**.",
                    "The held-out log-likelihood starts at the Gaussian fit's (−2.74 nats per point) and "
                    "passes it within 100 steps (−1.65); by step 1,000 it is near −0.53. The density map "
                    "sharpens from one blob into two arcs, and the samples follow.",
                    {
                        "flows.tab": "2-D lab",
                        "flows.lab.set": "moons",
                        "flows.lab.arch": "realnvp",
                        "flows.lab.layers": 6,
                    },
                ),
                Step(
                    "Read the warp panels from the Gaussian to the data.",
                    "Each coupling moves points along one axis only (x₂ as a function of x₁, then the "
                    "other way round): the grid is sheared and bent in alternate directions, and only the "
                    "stack of them wraps the Gaussian into the moons.",
                    {"flows.tab": "2-D lab"},
                ),
                Step(
                    "Set the coupling layers to 1, then **Train** again.",
                    "One coupling can only slide x₂ by an amount that depends on x₁: the held-out "
                    "log-likelihood stalls near −1.8 after 1,000 steps (2 layers: −1.5), far from the "
                    "6-layer flow's −0.5.",
                    {"flows.tab": "2-D lab", "flows.lab.layers": 1},
                ),
                Step(
                    "Switch the flow to Glow with 4 steps (12 layers); **Train**.",
                    "Glow's steps start with actnorm set from the data and mix the two coordinates with a "
                    "learned 2×2 matrix before each coupling: −1.10 at step 100 where RealNVP had −1.65, "
                    "about −0.65 at step 1,000. Each step shows three panels: actnorm, 1×1 convolution, "
                    "coupling.",
                    {"flows.tab": "2-D lab", "flows.lab.layers": 4, "flows.lab.arch": "glow"},
                ),
                Step(
                    "The Digits tab: a two-level Glow on 8×8 digits. Press **Train**.",
                    "Bits per pixel fall from 4.4 (a uniform guess over 17 levels is 4.09) to 3.5 in 50 "
                    "steps and 2.85 by step 300. The samples at temperature 0.7 learn the digits' layout "
                    "(dark margins, bright strokes in the middle) but few are readable digits: a likelihood "
                    "this good is still far from a good sampler at this size.",
                    {"flows.tab": "Digits"},
                ),
            ),
        ),
    ),
    "modern_vision": (
        Lesson(
            "After convolution: mixing MLPs and shifted windows",
            (
                Step(
                    "The Idea tab: what replaces the convolution.",
                    "A convolution mixes positions and channels at once. MLP-Mixer splits the two into a "
                    "token-mixing MLP (across the patches of one channel) and a channel-mixing MLP (across "
                    "the channels of one patch); Swin keeps attention but only inside M×M windows, at a cost "
                    "linear in the number of tokens.",
                    {"modern_vision.tab": "Idea"},
                ),
                Step(
                    "The Mixer tab. Press **Train**.",
                    "Three Mixer layers on 64 patches of 2×2 pixels pass 95 % test accuracy within a few "
                    "hundred steps (0.975 after 250 in the recipe's test). The token-mixing maps show what "
                    "training changed in weights over the 8×8 patch grid: smooth patches of one sign "
                    "(neighbouring weights correlate 0.52 after 100 steps, −0.04 at initialisation); the "
                    "channel-mixing matrix beside them has no spatial layout.",
                    {"modern_vision.tab": "Mixer", "modern_vision.mixer.patch": 2},
                ),
                Step(
                    "The Swin tab: the windows, block by block.",
                    "Stage 1 cuts the 4×4 map of tokens into four windows of 2×2; its second block rolls "
                    "the map by one token first, so the windows straddle the old borders, and the pieces at "
                    "opposite edges that share a colour are one window after the roll, kept apart by the "
                    "mask. Stage 2's 2×2 map is a single window, which does not shift.",
                    {"modern_vision.tab": "Swin", "modern_vision.swin.window": 2},
                ),
                Step(
                    "Set the window size to 3.",
                    "Three does not divide the 4×4 map, so the windows cannot tile it: the page says so "
                    "and suggests a size that fits, instead of building a broken model.",
                    {"modern_vision.swin.window": 3},
                ),
                Step(
                    "Back to 2, then **Train** and look at the bias tables.",
                    "Each head learns one bias per offset (Δrow, Δcol) inside a window, a 3×3 table for "
                    "M = 2, added to every score of that head. The recipe reaches 0.96 test accuracy in "
                    "300 steps.",
                    {"modern_vision.swin.window": 2},
                ),
                Step(
                    "The Architectures tab: Swin-T at its published size, Summary.",
                    "96 channels on a 56×56 map of 4×4 patches, windows of 7×7, stages of 2, 2, 6 and 2 "
                    "blocks, three patch mergings to 7×7×768: 28,288,354 parameters, as timm and "
                    "torchvision count them.",
                    {
                        "modern_vision.tab": "Architectures",
                        "modern_vision.arch": Arch("swin_t"),
                        "modern_vision.swin_t.preset": "canonical",
                        "modern_vision.view": "Summary",
                    },
                ),
            ),
        ),
    ),
    "cmp": (
        Lesson(
            "What a model costs, and what it buys",
            (
                Step(
                    "ResNet-50 against MobileNetV2, both at their published size, on the Cost tab.",
                    "MobileNetV2 has 7× fewer parameters and 14× fewer mult-adds per image; it gives up "
                    "about 4 points of ImageNet top-1 (71.9 % against 76.1 %). Depthwise-separable "
                    "convolutions are where the savings come from.",
                    {
                        "cmp.tab": "Cost",
                        "cmp.n": 2,
                        "cmp.1.arch": Arch("resnet50"),
                        "cmp.1.resnet50.preset": "canonical",
                        "cmp.2.arch": Arch("mobilenet_v2"),
                        "cmp.2.mobilenet_v2.preset": "canonical",
                    },
                ),
                Step(
                    "Swap MobileNetV2 for EfficientNet-B0: a network found by architecture search, then "
                    "scaled.",
                    "About a tenth of ResNet-50's mult-adds and a fifth of its parameters, yet a higher "
                    "top-1 (77.7 %): design decides, not size alone.",
                    {"cmp.2.arch": Arch("efficientnet_b0"), "cmp.2.efficientnet_b0.preset": "canonical"},
                ),
                Step(
                    "Add a third model: ViT-B/16, a transformer reading the image as 196 patches.",
                    "3.4× ResNet-50's parameters and 4.3× its mult-adds, for the best top-1 of the three "
                    "(81.1 %). Its activations per image stay near ResNet-50's (about 155 MB against 170 "
                    "MB): every block keeps all 197 tokens at width 768, where the CNN's maps shrink.",
                    {"cmp.n": 3, "cmp.3.arch": Arch("vit_b_16"), "cmp.3.vit_b_16.preset": "canonical"},
                ),
                Step(
                    "The Graphs tab, every model drawn at depth 2.",
                    "ResNet-50 and EfficientNet-B0 work in stages: the image shrinks while the channels "
                    "grow. ViT-B/16 embeds the patches once, then repeats one encoder block at a single "
                    "resolution to the end.",
                    {"cmp.tab": "Graphs", "cmp.detail": "depth 2"},
                ),
                Step(
                    "All published models: every canonical model of the atlas on one map.",
                    "Parameters and mult-adds rise together, but not in step: CycleGAN sits far right "
                    "(full-resolution convolutions on every pixel with few weights), the language models "
                    "high up (large embedding tables, few operations per token), GPT-3 alone in the corner.",
                    {"cmp.tab": "All published models"},
                ),
                Step(
                    "Race two small ones: ResNet-18 and MobileNetV2 at their tiny presets, on the digits "
                    "recipe, 200 steps each. Press **Train all**.",
                    "Same data, same seed, same steps: the overlaid curves and the final table show which "
                    "one learns faster per step, and the training time what each step costs.",
                    {
                        "cmp.tab": "Train on one recipe",
                        "cmp.n": 2,
                        "cmp.1.arch": Arch("resnet18"),
                        "cmp.1.resnet18.preset": "tiny",
                        "cmp.2.arch": Arch("mobilenet_v2"),
                        "cmp.2.mobilenet_v2.preset": "tiny",
                        "cmp.recipe": "cnn_digits",
                        "cmp.steps": 200,
                    },
                ),
            ),
        ),
    ),
}


def _key(page: str) -> str:
    return f"{page}.lesson"


def _apply(page: str) -> None:
    ss = st.session_state
    lesson = next((le for le in LESSONS.get(page, ()) if le.title == ss.get(_key(page))), None)
    if lesson is None:
        ss.pop(f"{_key(page)}.step", None)
        return
    i = min(max(int(ss.get(f"{_key(page)}.step", 0)), 0), len(lesson.steps) - 1)
    ss[f"{_key(page)}.step"] = i
    for k, v in state_at(lesson, i).items():
        ss[k] = resolve(v)


def state_at(lesson: Lesson, i: int) -> dict[str, Any]:
    """The page state of step ``i``: every setting the steps up to it name, the later ones winning, so a
    step looks the same whether the class came to it with Next, with Back or from a link."""
    state: dict[str, Any] = {}
    for step in lesson.steps[: i + 1]:
        state.update(step.state)
    return state


def _chosen(page: str) -> None:
    st.session_state[f"{_key(page)}.step"] = 0
    _apply(page)


def _move(page: str, by: int) -> None:
    st.session_state[f"{_key(page)}.step"] = int(st.session_state.get(f"{_key(page)}.step", 0)) + by
    _apply(page)


def lesson_bar(page: str) -> None:
    """The page's lessons (under its key prefix): a chooser, the current step and Back / Next."""
    lessons = LESSONS.get(page, ())
    if not lessons:
        return
    ss = st.session_state
    c = st.columns([3, 5])
    title = c[0].selectbox(
        "Lesson",
        [None, *[le.title for le in lessons]],
        format_func=lambda t: "— no lesson —" if t is None else t,
        key=_key(page),
        on_change=_chosen,
        args=(page,),
        help="A teacher's script: each step sets the page and says what to observe. Next moves on.",
    )
    lesson = next((le for le in lessons if le.title == title), None)
    if lesson is None:
        return
    if f"{_key(page)}.step" not in ss:  # opened from a link: set the first step's state
        _chosen(page)
    i = min(int(ss.get(f"{_key(page)}.step", 0)), len(lesson.steps) - 1)
    step = lesson.steps[i]
    with c[1]:
        st.info(
            f"**Step {i + 1} of {len(lesson.steps)}.** {step.text}\n\n**Observe:** {step.observe}",
            icon=":material/school:",
        )
        b = st.columns(2)
        b[0].button(
            "Back",
            key=f"{_key(page)}.back",
            icon=":material/arrow_back:",
            disabled=i == 0,
            on_click=_move,
            args=(page, -1),
            width="stretch",
        )
        b[1].button(
            "Next",
            key=f"{_key(page)}.next",
            icon=":material/arrow_forward:",
            type="primary",
            disabled=i == len(lesson.steps) - 1,
            on_click=_move,
            args=(page, 1),
            width="stretch",
        )
