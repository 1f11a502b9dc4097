"""scikit-learn's RandomForestClassifier as a benchmark contestant, in its own process.

Reads the same CSVs as the other contestants, one-hot free: categories as integer codes, as our
forest sees them before its categorical splits. Prints the same JSON as bench/fit-churn.ts.
"""
import csv
import json
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

CATEGORIES = {
    "pais": ["França", "Alemanha", "Espanha"],
    "genero": ["Masculino", "Feminino"],
    "cartao_credito": ["Não", "Sim"],
}
ORDER = ["pais", "genero", "cartao_credito", "idade", "anos_cliente", "saldo_conta",
         "numero_produtos", "salario_estimado", "escore_credito"]


def load(path):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        index = {name: i for i, name in enumerate(header)}
        rows = list(reader)
    features = np.empty((len(rows), len(ORDER)), dtype=np.float32)
    for j, name in enumerate(ORDER):
        column = index[name]
        if name in CATEGORIES:
            codes = {value: code for code, value in enumerate(CATEGORIES[name])}
            features[:, j] = [codes[row[column]] for row in rows]
        else:
            features[:, j] = [float(row[column]) for row in rows]
    labels = np.array([int(row[index["saiu"]]) for row in rows])
    return features, labels


def main():
    request = json.loads(sys.argv[1])
    x, y = load(request["trainCsv"])
    tests = {name: load(path) for name, path in request["testCsvs"].items()}
    fits, auc = [], {name: 0.0 for name in tests}
    for run in range(request["runs"]):
        model = RandomForestClassifier(
            n_estimators=request["trees"],
            min_samples_leaf=request["minSamplesLeaf"],
            max_features="sqrt",
            n_jobs=2,
            random_state=run + 1,
        )
        started = time.perf_counter()
        model.fit(x, y)
        fits.append(time.perf_counter() - started)
        for name, (tx, ty) in tests.items():
            auc[name] += roc_auc_score(ty, model.predict_proba(tx)[:, 1]) / request["runs"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fits": fits, "auc": auc, "peakMb": peak_mb, "trees": request["trees"]}))


if __name__ == "__main__":
    main()
