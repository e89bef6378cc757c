"""Heterogeneous GNN (GraphSAGE per relation, HeteroConv; Hamilton et al. 2017) on the
declaration-entity graph built by ``risk.hetero.build_hetero``.

Declaration nodes carry the tabular features (``risk.features``, log-scaled and
standardised); entity nodes (importer, declarant, seller, courier, HS6, countries, office)
carry [log degree]. Two SAGE layers let a declaration read the declarations that share its
entities. Full-batch training (no pyg-lib / torch-sparse); every training declaration is a
node, the loss is only on labelled (inspected) ones, model selection on the validation frame's AUPRC. The graph at
scoring time is the training history plus the frame being scored (inductive SAGE).
Entity risk = mean declaration risk over the entity's declarations (``entity_scores``)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from risk.base import RiskModel
from risk.config import settings, torch_device
from risk.features import TabularFeaturizer
from risk.frame import ENTITY_COLUMNS


def _net(metadata: Any, in_dims: dict[str, int], hidden: int, layers: int) -> Any:
    import torch
    from torch_geometric.nn import HeteroConv, SAGEConv

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = torch.nn.ModuleDict({t: torch.nn.Linear(d, hidden) for t, d in in_dims.items()})
            self.convs = torch.nn.ModuleList([
                HeteroConv({et: SAGEConv(hidden, hidden) for et in metadata[1]}, aggr="mean")
                for _ in range(layers)])
            self.head = torch.nn.Sequential(torch.nn.Linear(2 * hidden, hidden), torch.nn.ReLU(),
                                            torch.nn.Linear(hidden, 1))
            self.drop = torch.nn.Dropout(0.2)

        def forward(self, x_dict: Any, ei_dict: Any) -> Any:
            h = {t: torch.relu(self.enc[t](x)) for t, x in x_dict.items()}
            h0 = h["declaration"]
            for conv in self.convs:
                out = conv(h, ei_dict)
                h = {t: self.drop(torch.relu(out[t])) + h[t] if t in out else h[t] for t in h}
            return self.head(torch.cat([h0, h["declaration"]], dim=1)).squeeze(-1), h

    return Net()


class HeteroGNNModel(RiskModel):
    name = "gnn"
    description = "heterogeneous GraphSAGE over declaration-entity links (PyG HeteroConv)"

    def __init__(self, hidden: int = 32, layers: int = 2, epochs: int | None = None,
                 lr: float = 0.01) -> None:
        super().__init__()
        self.hidden, self.layers, self.lr = hidden, layers, lr
        self.epochs = epochs
        self.zero_init_head = False
        self.pos_weight = True

    # -- features ------------------------------------------------------------------
    def _x(self, frame: Any, training_rows: bool = False) -> np.ndarray:
        X = self.feat.transform(frame, training_rows=training_rows).astype(float)
        keep = [i for i, n in enumerate(self.feat.names) if not n.startswith("cat_")]
        X = X[:, keep]
        X = np.sign(X) * np.log1p(np.abs(X))
        return X

    # hooks for subclasses: an additive logit offset per declaration (0 = plain GNN)
    def _offset_train(self, lab: Any, valid: Any | None) -> tuple[np.ndarray, np.ndarray | None]:
        return np.zeros(len(lab)), (np.zeros(len(valid)) if valid is not None else None)

    def _offset(self, frame: Any) -> np.ndarray:
        return np.zeros(len(frame))

    def _graph(self, frame: Any | None) -> tuple[Any, int]:
        import pandas as pd

        from risk.hetero import build_hetero

        cols = ["key"] + list(ENTITY_COLUMNS)
        if frame is None:
            pool, X = self.history, self.history_x
        else:
            pool = pd.concat([self.history, frame[cols]], ignore_index=True)
            X = np.vstack([self.history_x, self._x(frame)])
        Xs = (X - self.mu) / self.sd
        return build_hetero(pool, Xs), len(self.history)

    # -- fit / score -------------------------------------------------------------------
    def _fit(self, train: Any, valid: Any | None) -> None:
        import torch

        from risk.metrics import summarize

        s = settings()
        torch.manual_seed(s.seed)
        torch.set_num_threads(max(1, s.threads))
        epochs = self.epochs or s.gnn_epochs
        lab = train[train["label"].notna()].reset_index(drop=True)
        self.feat = TabularFeaturizer(seed=s.seed).fit(lab)
        cols = ["key"] + list(ENTITY_COLUMNS)
        # every training declaration is a node (message passing); only labelled ones get loss
        hist = train.reset_index(drop=True)
        mask = hist["label"].notna().to_numpy()
        self.history = hist[cols].reset_index(drop=True)
        hx = self._x(hist) if not mask.all() else None
        lx = self._x(lab, training_rows=True)  # out-of-fold encodings for labelled rows
        if hx is None:
            hx = lx
        else:
            hx[mask] = lx
        self.history_x = hx
        lab_idx = torch.as_tensor(np.nonzero(mask)[0], dtype=torch.long)
        self.mu = np.nanmean(self.history_x, axis=0)
        self.sd = np.nanstd(self.history_x, axis=0) + 1e-6
        y_tr = torch.as_tensor(lab["label"].to_numpy(float), dtype=torch.float32)
        has_valid = valid is not None and valid["label"].notna().any()
        v = valid[valid["label"].notna()].reset_index(drop=True) if has_valid else None
        off_tr, off_v = self._offset_train(lab, v)
        dev = torch_device()
        off_tr = torch.as_tensor(off_tr, dtype=torch.float32).to(dev)
        off_v = torch.as_tensor(off_v, dtype=torch.float32) if off_v is not None else None
        data, n_hist = self._graph(v)
        self.metadata = data.metadata()
        self.in_dims = {t: data[t].x.shape[1] for t in data.node_types}
        net = _net(self.metadata, self.in_dims, self.hidden, self.layers)
        if self.zero_init_head:
            torch.nn.init.zeros_(net.head[-1].weight)
            torch.nn.init.zeros_(net.head[-1].bias)
        data, net = data.to(dev), net.to(dev)
        y_tr, lab_idx = y_tr.to(dev), lab_idx.to(dev)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=1e-5)
        pos = float(y_tr.mean())
        pw = torch.tensor((1 - pos) / max(pos, 1e-3), device=dev) if self.pos_weight else None
        lossf = torch.nn.BCEWithLogitsLoss(pos_weight=pw)
        best, best_state, history, best_epoch = -1.0, None, [], epochs
        x_dict, ei = data.x_dict, data.edge_index_dict
        if has_valid and self.zero_init_head:  # epoch 0 = the offset alone
            best = summarize(v["label"], off_v.numpy())["auprc"] or 0.0
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
            history.append((0, None, best))
            best_epoch = 0
        import time as _time

        t_train = 0.0
        for ep in range(epochs):
            t_ep = _time.perf_counter()
            net.train()
            opt.zero_grad()
            out, _ = net(x_dict, ei)
            loss = lossf(out[lab_idx] + off_tr, y_tr)
            loss.backward()
            opt.step()
            t_train += _time.perf_counter() - t_ep
            if has_valid and (ep % 5 == 4 or ep == epochs - 1):
                net.eval()
                with torch.no_grad():
                    o, _ = net(x_dict, ei)
                m = summarize(v["label"], (o[n_hist:].cpu() + off_v).numpy())
                crit = m["auprc"] or 0.0
                history.append((ep + 1, round(float(loss.detach()), 4), crit))
                if crit > best:
                    best, best_state = crit, {k: t.clone() for k, t in net.state_dict().items()}
                    best_epoch = ep + 1
        if best_state is not None:
            net.load_state_dict(best_state)
        self._store(net.cpu())
        self.card.update({"features": [n for n in self.feat.names if not n.startswith("cat_")],
                          "hidden": self.hidden, "layers": self.layers, "epochs": epochs,
                          "seconds_per_epoch": round(t_train / max(epochs, 1), 3),
                          "device": str(dev),
                          "graph": {t: int(data[t].num_nodes) for t in data.node_types},
                          "valid_auprc_by_epoch": history[:3] + history[-5:],
                          "selected_epoch": best_epoch, "selected_valid_auprc": round(best, 4),
                          "what_wins": ("epoch 0 = the tree alone won on validation: the graph "
                                        "correction did not help" if best_epoch == 0 and
                                        self.zero_init_head else
                                        "the graph-trained epoch beat epoch 0 on validation"
                                        if self.zero_init_head else "plain GNN"),
                          "edge_types": [list(e) for e in self.metadata[1]]})

    def _store(self, net: Any) -> None:
        import torch

        buf = io.BytesIO()
        torch.save(net.state_dict(), buf)
        self.state_bytes = buf.getvalue()
        self._net_cache = net

    def __getstate__(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.pop("_net_cache", None)
        return d

    def _module(self) -> Any:
        import torch

        net = getattr(self, "_net_cache", None)
        if net is None:
            net = _net(self.metadata, self.in_dims, self.hidden, self.layers)
            net.load_state_dict(torch.load(io.BytesIO(self.state_bytes), weights_only=True,
                                           map_location="cpu"))
            self._net_cache = net
        net.eval()
        return net

    def forward(self, frame: Any) -> tuple[np.ndarray, Any, Any]:
        """(declaration scores for ``frame``, hidden states, graph)."""
        import torch

        torch.set_num_threads(max(1, settings().threads))
        data, n_hist = self._graph(frame)
        dev = torch_device()
        net = self._module().to(dev)
        with torch.no_grad():
            o, h = net(data.to(dev).x_dict, data.edge_index_dict)
        if dev.type != "cpu":
            o, h, data = o.cpu(), {t: v.cpu() for t, v in h.items()}, data.cpu()
        off = torch.as_tensor(self._offset(frame), dtype=torch.float32)
        return torch.sigmoid(o[n_hist:] + off).numpy(), h, data

    def _score(self, frame: Any) -> Any:
        return self.forward(frame)[0]

    def entity_scores(self, frame: Any) -> dict[str, dict[str, float]]:
        """{entity column: {entity value: mean declaration risk}} over history + frame."""
        scores = self._score(frame)
        cols = list(ENTITY_COLUMNS)
        d = frame[cols].assign(s=scores)
        out = {}
        for c in cols:
            out[c] = d.groupby(c)["s"].mean().to_dict()
        return out
