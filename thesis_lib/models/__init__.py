"""The models: the Table-1 LSTM, the n-gram baseline, the thesis's DCGAN and WGAN-GP, the improved GAN, their
scoring and checkpoints, and the shipped weights (`shipped`)."""
