"""The course's way of serving the model, as a benchmark contestant for `churn serve`: FastAPI
(Debian python3-fastapi) on uvicorn (one worker, as `uvicorn app:app` starts it), a
scikit-learn RandomForestClassifier grown on the same training file with the same settings
(100 trees, min_samples_leaf 5, sqrt features, balanced class weights), pydantic validating
each customer, and prometheus_client counting requests and timing them, as the course's API did.

POST /predict takes one customer (a JSON object) or a list of them and answers what churn serve
answers: churn_probability, churn_predicted, risk_level. Categories are integer codes, as our
forest sees them, so the encoding costs a dict lookup, not pandas; the training rows, columns and
codes are those of bench/fit_sklearn.py.

    python3 bench/serve_fastapi.py TRAIN.csv PORT
"""
import sys
import time
from typing import List, Optional, Union

import numpy as np
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel
from sklearn.ensemble import RandomForestClassifier

from fit_sklearn import CATEGORIES, ORDER, load  # the same columns, codes and training rows

try:
    from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
except ImportError:  # python3-prometheus-client absent: serve without metrics
    Counter = None

CODES = {name: {value: code for code, value in enumerate(values)} for name, values in CATEGORIES.items()}
THRESHOLD = 0.5
MEDIUM, HIGH = 0.5, 0.7


def encode_row(values):
    return [
        CODES[name].get(values[name], np.nan) if name in CODES
        else (np.nan if values[name] in (None, "") else float(values[name]))
        for name in ORDER
    ]


class Customer(BaseModel):
    id_cliente: Optional[Union[int, str]] = None
    pais: Optional[str]
    genero: Optional[str]
    cartao_credito: Optional[str]
    idade: Optional[float]
    anos_cliente: Optional[float]
    saldo_conta: Optional[float]
    numero_produtos: Optional[float]
    salario_estimado: Optional[float]
    escore_credito: Optional[float]


def answer(customer, probability):
    level = "high" if probability >= HIGH else "medium" if probability >= MEDIUM else "low"
    return {
        "id_cliente": customer.id_cliente,
        "churn_probability": round(float(probability), 6),
        "churn_predicted": int(probability >= THRESHOLD),
        "risk_level": level,
    }


def main():
    train_csv, port = sys.argv[1], int(sys.argv[2])
    x, y = load(train_csv)
    model = RandomForestClassifier(
        n_estimators=100, min_samples_leaf=5, max_features="sqrt", class_weight="balanced",
        n_jobs=1, random_state=0,
    ).fit(x, y)
    app = FastAPI()
    if Counter is not None:
        requests = Counter("http_requests_total", "Requests", ["method", "endpoint", "status"])
        latency = Histogram("http_request_duration_seconds", "Latency", ["method", "endpoint"])
        predictions = Counter("model_predictions_total", "Predictions")

        @app.middleware("http")
        async def measure(request: Request, call_next):
            started = time.perf_counter()
            response = await call_next(request)
            latency.labels(request.method, request.url.path).observe(time.perf_counter() - started)
            requests.labels(request.method, request.url.path, str(response.status_code)).inc()
            return response

        @app.get("/metrics")
        def metrics():
            return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/readyz")
    def ready():
        return {"status": "ready"}

    @app.post("/predict")
    def predict(customers: Union[Customer, List[Customer]]):
        many = isinstance(customers, list)
        batch = customers if many else [customers]
        features = np.array([encode_row(customer.dict()) for customer in batch], dtype=float)
        probabilities = model.predict_proba(features)[:, 1] if batch else []
        if Counter is not None:
            predictions.inc(len(batch))
        answers = [answer(c, p) for c, p in zip(batch, probabilities)]
        return {"predictions": answers} if many else answers[0]

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
