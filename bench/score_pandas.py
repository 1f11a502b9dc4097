"""The Python stack's batch scoring, as the course would write it: pandas read_csv, one-hot
categories, scikit-learn predict_proba on both cores, to_csv. Trains its own forest first on the
same training file (untimed). Prints JSON: seconds of read+score+write, and the peak memory."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

train_csv, score_csv, out_csv = sys.argv[1:4]
train = pd.read_csv(train_csv)
x = pd.get_dummies(train.drop(columns=["saiu", "id_cliente"]), dtype=float)
model = RandomForestClassifier(
    n_estimators=100, min_samples_leaf=5, class_weight="balanced", n_jobs=-1, random_state=0
).fit(x, train["saiu"])
del train

started = time.perf_counter()
data = pd.read_csv(score_csv)
features = pd.get_dummies(data.drop(columns=["saiu", "id_cliente"], errors="ignore"), dtype=float)
features = features.reindex(columns=x.columns, fill_value=0)
probability = model.predict_proba(features)[:, 1]
out = pd.DataFrame({"id_cliente": data["id_cliente"], "churn_probability": probability.round(6)})
out["churn_predicted"] = (probability >= 0.5).astype(int)
out["risk_level"] = np.where(probability >= 0.7, "high", np.where(probability >= 0.5, "medium", "low"))
out.to_csv(out_csv, index=False)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peakMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
