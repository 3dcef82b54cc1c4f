"""Detection benchmarks: NMS of 10,000 random boxes and AP of 1,000 predictions, each beside a baseline
timed in the same run, and the canonical graphs of YOLOv3 and Mask R-CNN beside torchview's.

    python -m bench.detection_bench [--repeats 3] [--quick]

- ``nms``: ``archs.detection.boxes.nms`` (blocked: 512 boxes resolved at a time, then one IoU op of their
  kept boxes against the rest) against the textbook plain-torch loop (take the best remaining box, IoU
  with all remaining boxes, drop the overlapping ones, repeat); both must keep the same boxes.
- ``map``: ``training.detection.metrics.average_precision`` at IoU 0.5 and ``coco_map`` on 100 scenes of
  three objects with ten predictions each (1,000) against a pure-Python AP (IoU box by box, the same
  matching and 101-point interpolation); both must give the same AP.
- ``graph``: build on meta, trace, collapse and draw the canonical yolov3 and mask_rcnn
  (bench.cnn_graph_speed's timing) beside torchview's draw_graph (requirements-bench.txt), if it imports.

One thread; ratios are baseline / atlas (above 1: the atlas is faster). Measured on 2 shared cores (load
average 6 to 8 from other processes), torch 2.13 CPU, torchview 0.2.7, two runs:

    what                                atlas s       baseline s    ratio
    NMS of 10,000 boxes (4,238 kept)    0.45–0.90     1.76–2.35     2.6–3.9
    AP@0.5 of 1,000 predictions         0.014–0.035   0.054–0.131   3.7–4.0
    COCO mAP@[.5:.95], same             0.018–0.040
    graph of yolov3 (248 nodes)         0.10–0.15     torchview 0.29–0.54   2.9–3.5
    graph of mask_rcnn (690 nodes)      0.34–0.50     torchview 0.33–0.71   1.0–1.4
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from archs.detection.boxes import box_iou, nms  # noqa: E402
from training.detection.metrics import RECALLS, average_precision, coco_map  # noqa: E402


def random_boxes(g: torch.Generator, n: int, extent: float = 1000.0) -> torch.Tensor:
    xy = torch.rand(n, 2, generator=g) * extent
    return torch.cat([xy, xy + torch.rand(n, 2, generator=g) * extent * 0.3 + 1], 1)


def textbook_nms(boxes: torch.Tensor, scores: torch.Tensor, thr: float) -> torch.Tensor:
    order = torch.sort(scores, descending=True, stable=True).indices
    keep = []
    while len(order):
        i = order[0]
        keep.append(int(i))
        iou = box_iou(boxes[i][None], boxes[order[1:]])[0]
        order = order[1:][iou <= thr]
    return torch.tensor(keep)


def _timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_nms(repeats: int, n: int = 10_000) -> dict:
    g = torch.Generator().manual_seed(0)
    boxes, scores = random_boxes(g, n), torch.rand(n, generator=g)
    nms(boxes[:600], scores[:600], 0.5)  # warm-up
    ours, keep = _timed(lambda: nms(boxes, scores, 0.5), repeats)
    base, ref = _timed(lambda: textbook_nms(boxes, scores, 0.5), repeats)
    assert torch.equal(keep, ref), "the two NMS disagree"
    return {
        "what": f"nms of {n:,} boxes",
        "kept": len(keep),
        "atlas_s": round(ours, 4),
        "baseline_s": round(base, 4),
        "ratio": round(base / ours, 2),
    }


def scenes(n_images: int = 100, per_image: int = 10, classes: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    dets, tgts = [], []
    for _ in range(n_images):
        gt = rng.uniform(0, 200, (3, 2))
        gt = np.concatenate([gt, gt + rng.uniform(10, 60, (3, 2))], 1).astype(np.float32)
        gl = rng.integers(0, classes, 3)
        pick = rng.integers(0, 3, per_image)  # each prediction jitters one of the objects, or its class
        db = gt[pick] + rng.normal(0, 6, (per_image, 4)).astype(np.float32)
        db[:, 2:] = np.maximum(db[:, 2:], db[:, :2] + 1)
        dl = np.where(rng.random(per_image) < 0.8, gl[pick], rng.integers(0, classes, per_image))
        tgts.append({"boxes": torch.from_numpy(gt), "labels": torch.from_numpy(gl)})
        dets.append(
            {
                "boxes": torch.from_numpy(db),
                "scores": torch.from_numpy(rng.random(per_image)),
                "labels": torch.from_numpy(dl),
            }
        )
    return dets, tgts


def _iou(a, b) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def python_ap(dets, tgts, classes: int, thr: float = 0.5) -> float:
    aps = []
    for c in range(classes):
        rows, n_gt = [], 0
        for i, (d, t) in enumerate(zip(dets, tgts, strict=True)):
            n_gt += int((t["labels"] == c).sum())
            rows += [
                (float(s), i, b.tolist())
                for s, b, lab in zip(d["scores"], d["boxes"], d["labels"], strict=True)
                if lab == c
            ]
        if n_gt == 0:
            continue
        rows.sort(key=lambda r: -r[0])
        used: set[tuple[int, int]] = set()
        tp = []
        for _, i, b in rows:
            gts = [
                (j, g.tolist())
                for j, (g, lab) in enumerate(zip(tgts[i]["boxes"], tgts[i]["labels"], strict=True))
                if lab == c and (i, j) not in used
            ]
            best = max(gts, key=lambda jg: _iou(b, jg[1]), default=None)
            hit = best is not None and _iou(b, best[1]) >= thr
            if hit:
                used.add((i, best[0]))
            tp.append(hit)
        tpc = np.cumsum(tp)
        prec, rec = tpc / np.arange(1, len(tp) + 1), tpc / n_gt
        env = np.maximum.accumulate(prec[::-1])[::-1]
        q = [env[np.searchsorted(rec, r)] if np.searchsorted(rec, r) < len(rec) else 0.0 for r in RECALLS]
        aps.append(float(np.mean(q)))
    return float(np.mean(aps))


def bench_map(repeats: int) -> list[dict]:
    dets, tgts = scenes()
    ours, r = _timed(lambda: average_precision(dets, tgts, 6), repeats)
    base, ref = _timed(lambda: python_ap(dets, tgts, 6), repeats)
    assert abs(r["ap"] - ref) < 1e-9, (r["ap"], ref)
    coco, m = _timed(lambda: coco_map(dets, tgts, 6), repeats)
    return [
        {
            "what": "AP@0.5 of 1,000 predictions",
            "ap": round(r["ap"], 4),
            "atlas_s": round(ours, 4),
            "baseline_s": round(base, 4),
            "ratio": round(base / ours, 2),
        },
        {"what": "COCO mAP@[.5:.95] of 1,000 predictions", "map": round(m, 4), "atlas_s": round(coco, 4)},
    ]


def bench_graphs(repeats: int) -> list[dict]:
    import archs
    from bench.cnn_graph_speed import atlas_time, torchview_time

    rows = []
    for name in ("yolov3", "mask_rcnn"):
        if name not in {s.name for s in archs.list_archs("detection")}:
            rows.append({"what": f"graph of {name}", "skipped": f"{name} is not registered"})
            continue
        atlas_time(name)  # warm-up: imports, fx caches
        runs = [atlas_time(name) for _ in range(repeats)]
        row = {
            "what": f"graph of {name} (canonical)",
            "nodes": runs[0][3],
            "atlas_s": round(statistics.median(sum(r[:3]) for r in runs), 3),
        }
        tv = [torchview_time(name) for _ in range(repeats)]
        if tv[0] is None:
            row["torchview"] = "torchview does not import here (pip install -r requirements-bench.txt)"
        else:
            row["torchview_s"] = round(statistics.median(tv), 3)
            row["ratio"] = round(row["torchview_s"] / row["atlas_s"], 2)
        rows.append(row)
    return rows


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one repeat, no graphs")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    reps = 1 if args.quick else args.repeats
    rows = [bench_nms(reps), *bench_map(reps)]
    if not args.quick:
        rows += bench_graphs(reps)
    for r in rows:
        print("  ".join(f"{k}={v}" for k, v in r.items()))
    return rows


if __name__ == "__main__":
    main()
