"""What a Python user runs to get a churn model from the course data, for the timing of
`npm run bench -- quality`: pandas read_csv, one-hot features, a stratified 15% holdout (as churn
keeps), scikit-learn's RandomForestClassifier on both cores, its holdout AUC, and the model saved
with joblib.

  train_sklearn.py TRAIN_CSV MODEL_PATH
"""
import sys

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

train_csv, model_path = sys.argv[1:3]
frame = pd.read_csv(train_csv)
y = frame.pop("saiu")
x = pd.get_dummies(frame.drop(columns=["id_cliente"]), dtype=float)
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size=0.15, stratify=y, random_state=42
)
model = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=42).fit(x_train, y_train)
print(f"holdout AUC {roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]):.4f}")
joblib.dump(model, model_path)
