using GnnSim.Torch.Modules;
using static GnnSim.Torch.Tests.TestSupport;

namespace GnnSim.Torch.Tests;

/// <summary>Activation checkpointing: the same outputs and gradients as a plain call, its segments released, its errors named.</summary>
public class CheckpointTests
{
    private sealed class TwoLayers : Module
    {
        public readonly Linear First = new(3, 5), Second = new(5, 3);

        public TwoLayers()
        {
            RegisterModule("first", First);
            RegisterModule("second", Second);
        }

        /// <summary>Two inputs, two outputs: y = W2 tanh(W1 x) * gate, and tanh(W1 x) itself.</summary>
        public Tensor[] Segment(Tensor[] inputs)
        {
            using var projected = First.call(inputs[0]);
            var hidden = projected.tanh();
            using var second = Second.call(hidden);
            return [second * inputs[1], hidden];
        }
    }

    private static (double[] Outputs, double[][] Gradients) RunAndDifferentiate(TwoLayers model, bool checkpointed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var x = torch.randn([4, 3], ScalarType.Float32).requires_grad_();
        var gate = torch.randn([4, 3], ScalarType.Float32);          // needs no gradient
        using var upstream = torch.randn([4, 3], ScalarType.Float32);
        using var upstreamHidden = torch.randn([4, 5], ScalarType.Float32);
        // x passes through a graph before the segment, so the segment's input gradient has to flow on.
        var before = x * 2.0;
        var outputs = checkpointed ? torch.checkpoint(model.Segment, before, gate) : model.Segment([before, gate]);
        var loss = (outputs[0] * upstream).sum() + (outputs[1] * upstreamHidden).sum();
        foreach (var p in model.parameters()) p.grad?.zero_();
        loss.backward();
        var gradients = model.parameters().Select(p => Values(p.grad!)).Append(Values(x.grad!)).ToArray();
        return (Values(outputs[0]).Concat(Values(outputs[1])).ToArray(), gradients);
    }

    [Fact]
    public void ACheckpointedSegmentGivesThePlainOutputsAndGradientsAndIsReleased()
    {
        var model = new TwoLayers();
        var plain = RunAndDifferentiate(model, checkpointed: false);
        var pendingBefore = torch.pending_checkpoint_segments();
        var checkpointed = RunAndDifferentiate(model, checkpointed: true);
        Close(plain.Outputs, checkpointed.Outputs, 1e-7);
        Assert.Equal(plain.Gradients.Length, checkpointed.Gradients.Length);
        for (var i = 0; i < plain.Gradients.Length; i++) Close(plain.Gradients[i], checkpointed.Gradients[i], 1e-7);
        // The backward freed the graph, and with it the segment.
        Assert.Equal(pendingBefore, torch.pending_checkpoint_segments());
    }

    [Fact]
    public void TheSegmentRunsAgainInTheBackwardAndAPlainCallWithoutGradMode()
    {
        using var scope = torch.NewDisposeScope();
        var runs = 0;
        Tensor[] Square(Tensor[] inputs)
        {
            runs++;
            return [inputs[0].square()];
        }
        var x = torch.tensor(new[] { 1.0, 2.0, 3.0 }).requires_grad_();
        var y = torch.checkpoint(Square, x)[0];
        Assert.Equal(1, runs);
        y.sum().backward();
        Assert.Equal(2, runs);                       // recomputed for the backward
        Close([2, 4, 6], Values(x.grad!));
        using (torch.no_grad()) torch.checkpoint(Square, x);
        Assert.Equal(3, runs);                       // once: no graph, nothing to recompute
    }

    [Fact]
    public void ASegmentThatThrowsIsAnErrorNamingItsException()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1.0, 2.0 }).requires_grad_();
        var pending = torch.pending_checkpoint_segments();
        var error = Assert.Throws<TorchException>(() => torch.checkpoint(_ => throw new InvalidOperationException("the block broke"), x));
        Assert.Contains("InvalidOperationException: the block broke", error.Message);
        Assert.Equal(pending, torch.pending_checkpoint_segments());   // a failed segment is not kept
        // An exception in the recomputation surfaces from backward, and the process goes on.
        var calls = 0;
        var y = torch.checkpoint(inputs => ++calls == 1 ? [inputs[0] * 3.0] : throw new InvalidOperationException("not twice"), x)[0];
        var failure = Assert.Throws<TorchException>(() => y.sum().backward());
        Assert.Contains("not twice", failure.Message);
    }
}
