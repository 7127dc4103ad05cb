"""Four made-up stimuli (one per source) shared by the survey's tests; not survey data."""

IDS = ["A", "B", "C", "D"]
STIMULI = [{"id": "A", "source": "n-gram", "symbols": ["60", "_", "62", "_"]},
           {"id": "B", "source": "real", "symbols": ["64", "_", "_", "_"]},
           {"id": "C", "source": "GAN", "symbols": ["67", "_", "65", "_"]},
           {"id": "D", "source": "LSTM", "symbols": ["60", "_", "_", "r"]}]
