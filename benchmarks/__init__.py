"""`make bench`: our skill against a baseline written like the official ask-sdk samples
(benchmarks/baseline/). bench.py runs it; probe.py is the measured process;
conversations.py holds the conversations played."""
