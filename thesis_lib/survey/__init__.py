"""The listening survey (§3.4, Fig. 18): the stimuli (`stimuli`), the answers kept exactly once (`store`), the
participants' page (`page`, served by `serve`), and the analysis of the answers (`analysis`)."""
