"""The ground every layer stands on: every setting (`config`), the project's errors, atomic files and metrics JSON
(`files`), and temperature sampling (`sampling`)."""
