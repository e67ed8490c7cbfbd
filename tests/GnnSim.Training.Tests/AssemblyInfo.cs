// The tests seed and draw from libtorch's one global generator: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
