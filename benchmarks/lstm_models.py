"""The model table of the README: the shipped LSTM against the majority-class and n-gram baselines,
on the same held-out songs as the run that made it (seed and split from its metrics JSON), all
held-out windows, one run.

Run: .venv/bin/python benchmarks/lstm_models.py
"""

from thesis_lib import lstm, markov, shipped
from thesis_lib.corpus import load_corpus
from thesis_lib.encoding import encode_events
from thesis_lib.scoring import model_table, score_predictions, window_targets


def main() -> None:
    model, vocab, prov = shipped.load_pretrained("lstm")
    songs = load_corpus(progress=False).songs
    data = lstm.prepare_data([encode_events(s.events) for s in songs], vocab, seed=prov.get("seed", 0))
    print(f"held-out songs: {data.summary()}; shipped model: {prov.get('command')}")
    baselines, ngram, _ = markov.baseline_scores(data.stream, data.train_starts, data.val_starts, vocab)
    probs = lstm.predict_windows(model, data.stream, data.val_starts)
    rows = {**baselines, "LSTM (shipped)": score_predictions(probs, window_targets(data.stream, data.val_starts), vocab)}
    table = model_table(rows)
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"n-gram chosen on the held-out songs: order {ngram.order}, discount {ngram.discount}")
    print(f"ratio: LSTM NLL / n-gram NLL = {rows['LSTM (shipped)']['nll'] / rows[f'{ngram.order}-gram']['nll']:.3f}")


if __name__ == "__main__":
    main()
