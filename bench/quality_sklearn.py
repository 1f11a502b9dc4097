"""scikit-learn fitted the way a Python user would, for `npm run bench -- quality`.

  quality_sklearn.py train REQUEST_JSON   read the training CSV with pandas, one-hot its text
                                          columns, fit, save the model with joblib
  quality_sklearn.py score REQUEST_JSON   load that model, score each test CSV, print JSON:
                                          {"tests": {name: {"auc", "brier"}}}

The request: {"train", "tests": {name: path}, "target", "id", "positive", "sep", "model", "seed",
"minSamplesLeaf", "classWeight", "model_path"}. `model` is "rf" (RandomForestClassifier; its
defaults unless minSamplesLeaf/classWeight say otherwise) or "hgb" (HistGradientBoosting's
defaults, 100 iterations). The caller times the training process whole: start-up, imports,
reading, fitting and saving, as a user waits for it.
"""
import json
import sys

import joblib
import numpy as np
import pandas as pd


def features(frame, request):
    x = frame.drop(columns=[request["target"], request["id"]])
    return pd.get_dummies(x, dtype=float)


def labels(frame, request):
    values = frame[request["target"]].astype(str).str.strip()
    positive = request["positive"]
    if positive is None:
        return values.str.lower().isin(["1", "true", "yes", "sim", "s"]).astype(int).to_numpy()
    return (values == positive).astype(int).to_numpy()


def train(request):
    frame = pd.read_csv(request["train"], sep=request["sep"])
    x, y = features(frame, request), labels(frame, request)
    if request["model"] == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(max_iter=100, random_state=request["seed"])
    else:
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(
            n_estimators=100,
            min_samples_leaf=request.get("minSamplesLeaf") or 1,
            class_weight=request.get("classWeight"),
            n_jobs=2,
            random_state=request["seed"],
        )
    model.fit(x, y)
    joblib.dump({"model": model, "columns": list(x.columns)}, request["model_path"])


def score(request):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    saved = joblib.load(request["model_path"])
    results = {}
    for name, path in request["tests"].items():
        frame = pd.read_csv(path, sep=request["sep"])
        x = features(frame, request).reindex(columns=saved["columns"], fill_value=0.0)
        y = labels(frame, request)
        p = saved["model"].predict_proba(x)[:, 1]
        results[name] = {"auc": roc_auc_score(y, p), "brier": brier_score_loss(y, p)}
    print(json.dumps({"tests": results}))


if __name__ == "__main__":
    {"train": train, "score": score}[sys.argv[1]](json.loads(sys.argv[2]))
