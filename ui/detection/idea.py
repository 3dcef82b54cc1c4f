"""The Idea tab of detection and segmentation: boxes and how networks predict them, IoU, one- and two-stage
detectors, NMS, the measures (precision–recall, AP, COCO mAP, mIoU, Dice), with the formulas."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "**Classification** names what an image shows; **detection** also says where, with a box and a "
            "class for every object; **semantic segmentation** labels every pixel with a class; "
            "**instance segmentation** separates the objects too: a mask per object."
        )
        st.markdown(
            r"**A box** is $(x_0, y_0, x_1, y_1)$, or a centre and a size $(x, y, w, h)$. How much two boxes "
            r"agree is their **intersection over union**:"
        )
        st.latex(r"\operatorname{IoU}(A, B) = \frac{|A \cap B|}{|A \cup B|} \in [0, 1]")
        st.markdown(
            r"**Box coding.** A network does not output pixels: it predicts offsets from a reference box "
            r"(an anchor, or a grid cell) of centre $(x_a, y_a)$ and size $(w_a, h_a)$. Faster R-CNN's:"
        )
        st.latex(
            r"\begin{aligned} t_x &= (x - x_a) / w_a, & t_y &= (y - y_a) / h_a \\ "
            r"t_w &= \log(w / w_a), & t_h &= \log(h / h_a) \end{aligned}"
        )
        st.markdown(
            r"YOLOv3 puts the centre inside the grid cell $(c_x, c_y)$ of stride $s$ and scales an anchor "
            r"$(p_w, p_h)$:"
        )
        st.latex(
            r"\begin{aligned} b_x &= s\,(\sigma(t_x) + c_x), & b_w &= p_w\, e^{t_w} \\ "
            r"b_y &= s\,(\sigma(t_y) + c_y), & b_h &= p_h\, e^{t_h} \end{aligned}"
        )
        st.markdown(
            r"**YOLO** (Redmon et al., 2016) splits the image into an $S \times S$ grid; the cell holding an "
            r"object's centre predicts it: $B$ boxes with a confidence each, and class probabilities. For "
            r"$S = 7$, $B = 2$ and 20 classes the output is $7 \times 7 \times 30$. Confidence means:"
        )
        st.latex(r"\text{conf} = \Pr(\text{object}) \cdot \operatorname{IoU}^{\text{truth}}_{\text{pred}}")
        st.markdown(
            "**Anchors** (YOLOv3): nine box shapes clustered from the data, three per output stride "
            "(8, 16, 32); a true box goes to the anchor whose shape fits it best, in the cell of its centre. "
            "**YOLOv8** drops anchors: each location predicts the distances to the four sides, as a "
            "distribution over bins (distribution focal loss), with separate box and class branches."
        )
    with c2:
        st.markdown(
            "**One stage or two.** A one-stage detector (YOLO, SSD, RetinaNet) scores every location and "
            "anchor at once. A two-stage detector (**Faster R-CNN**, Ren et al., 2015) first proposes "
            "regions with a small **region proposal network** over anchors, then crops each proposal's "
            "features with **RoI Align** (bilinear samples, no rounding) and classifies and refines it. "
            "**Mask R-CNN** (He et al., 2017) adds a small network that paints a 28×28 mask in each RoI. "
            "With a **feature pyramid** (FPN), a RoI of size $w \\times h$ is pooled from level"
        )
        st.latex(r"k = \big\lfloor 4 + \log_2\!\big(\sqrt{w h} / 224\big) \big\rfloor")
        st.markdown(
            r"**Non-maximum suppression** keeps the best-scoring box, removes every other box of its class "
            r"whose IoU with it exceeds a threshold, and repeats with what is left."
        )
        st.markdown(
            r"**Precision and recall.** Rank the detections by score; one is a true positive if it overlaps "
            r"an unmatched true box of its class with IoU ≥ 0.5. After the $k$ best:"
        )
        st.latex(r"P_k = \frac{TP_k}{k}, \qquad R_k = \frac{TP_k}{\#\,\text{true boxes}}")
        st.markdown(
            r"**Average precision** is the area under the precision–recall curve, with precision made "
            r"monotone and read at 101 recall points (COCO); **mAP@0.5** averages it over classes, "
            r"**COCO mAP** also over the IoU thresholds 0.50, 0.55, …, 0.95:"
        )
        st.latex(
            r"\begin{aligned} \text{AP} &= \tfrac{1}{101} \textstyle\sum_{r \in \{0, 0.01, \dots, 1\}} "
            r"\max_{r' \ge r} P(r') \end{aligned}"
        )
        st.markdown(
            "**Segmentation** is scored per pixel: the IoU of predicted and true pixels of each class, "
            "averaged over classes (**mIoU**); or the **Dice** coefficient, which counts the overlap twice:"
        )
        st.latex(r"\text{Dice} = \frac{2\,|P \cap T|}{|P| + |T|} = \frac{2\,\text{IoU}}{1 + \text{IoU}}")
        st.markdown(
            "**U-Net** (Ronneberger et al., 2015) contracts the image, then expands it back, joining each "
            "expanding step to the contracting step of the same size (skip connections), so the output "
            "is sharp. **DeepLabv3+** (Chen et al., 2018) keeps resolution with atrous (dilated) "
            "convolutions, looks at several scales at once (ASPP, rates 6, 12, 18) and adds a light decoder."
        )
