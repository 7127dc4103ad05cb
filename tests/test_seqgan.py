"""SeqGAN: MLE pre-training, the discriminator's pre-training, REINFORCE epochs with collapse diagnostics,
checkpoints and resume; its melodies need no decoding repair."""

import numpy as np

from thesis_lib.core.config import get_profile
from thesis_lib.data.encoding import encode_events, parse_symbol
from thesis_lib.models import gan_improved, lstm, seqgan


def test_a_short_seqgan_run_trains_both_phases_and_resumes(embedded, tmp_path):
    profile = get_profile("quick", lstm_units=32, lstm_windows_per_epoch=512, seqgan_steps_per_epoch=2,
                          seqgan_d_pretrain_steps=3, seqgan_batch_size=16)
    data = lstm.prepare_data([encode_events(s.events) for s in embedded.songs[:40]], profile=profile)
    assert seqgan.openings(data, data.train_songs).shape[1] == 64
    generator, history, mle = seqgan.train(data, profile, tmp_path, max_seconds=20, verbose=0)
    assert mle["mle_epochs"] >= 1 and mle["d_pretrain"]["d_pretrain_steps"] == 3 and len(history) >= 1
    for key in ("reward", "d_acc_real", "pg_loss", "mle_loss", "distinct", "all_holds", "seconds"):
        assert np.isfinite(history[-1][key]), key
    assert (tmp_path / "gan_improved_generator.keras").exists() and (tmp_path / "checkpoint" / "optimizers.npz").exists()
    melodies, repairs = gan_improved.generate(generator, data.vocab, 8, seed=1)
    assert not repairs and all(len(m) == 64 and "/" not in m for m in melodies)
    assert all(parse_symbol(m[0])[0] in ("onset", "rest") for m in melodies)
    _, again, mle2 = seqgan.train(data, profile, tmp_path, max_seconds=20 + 2 * history[-1]["seconds"], verbose=0)
    assert again[:len(history)] == history and len(again) > len(history)  # resumed, not restarted
    assert mle2["mle_epochs"] == mle["mle_epochs"] and mle2["d_pretrain"] == {}  # neither phase done again
