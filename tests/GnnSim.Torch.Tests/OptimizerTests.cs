using GnnSim.Torch.Modules;
using GnnSim.Torch.Optimizers;
using static GnnSim.Torch.Tests.TestSupport;

namespace GnnSim.Torch.Tests;

public class OptimizerTests
{
    /// <summary>The update rules written out in plain doubles, one parameter at a time.</summary>
    private static double[] ReferenceAdam(double[] p, double[][] gradients, double lr, double b1, double b2, double eps, double wd, bool decoupled)
    {
        p = (double[])p.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (var t = 1; t <= gradients.Length; t++)
        for (var i = 0; i < p.Length; i++)
        {
            var g = gradients[t - 1][i];
            if (decoupled) p[i] *= 1 - lr * wd;
            else g += wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            var mHat = m[i] / (1 - Math.Pow(b1, t));
            var vHat = v[i] / (1 - Math.Pow(b2, t));
            p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
        return p;
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    public void AdamAndAdamWFollowTheUpdateRule(bool decoupled, double weightDecay)
    {
        double[] start = [1.0, -2.0, 0.5];
        double[][] gradients = [[0.5, -1.0, 0.0], [0.2, 0.3, -4.0], [-1.0, 0.1, 2.0]];
        using var p = torch.tensor(start).requires_grad_();
        using Adam optimizer = decoupled
            ? new AdamW([p], lr: 0.05, beta1: 0.8, beta2: 0.95, eps: 1e-8, weight_decay: weightDecay)
            : new Adam([p], lr: 0.05, beta1: 0.8, beta2: 0.95, eps: 1e-8, weight_decay: weightDecay);
        foreach (var g in gradients)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            (p * torch.tensor(g)).sum().backward(); // dL/dp = g
            optimizer.step();
        }
        Close(ReferenceAdam(start, gradients, 0.05, 0.8, 0.95, 1e-8, weightDecay, decoupled), Values(p), 1e-12);
    }

    [Fact]
    public void AdamStateRoundTripsSoAResumedRunContinuesIdentically()
    {
        double[] start = [1.0, -2.0];
        using var a = torch.tensor(start).requires_grad_();
        using var b = torch.tensor(start).requires_grad_();
        using var first = new Adam([a], lr: 0.1);
        void Step(Tensor p, Optimizer o, double[] g)
        {
            using var scope = torch.NewDisposeScope();
            o.zero_grad();
            (p * torch.tensor(g)).sum().backward();
            o.step();
        }
        Step(a, first, [1.0, 2.0]);
        using (torch.no_grad()) b.copy_(a);
        using var second = new Adam([b], lr: 0.1);
        second.load_state_dict(first.state_dict());
        Step(a, first, [-0.5, 0.25]);
        Step(b, second, [-0.5, 0.25]);
        Assert.Equal(a.ToArray<double>(), b.ToArray<double>());
    }

    [Fact]
    public void ClipGradNormScalesAllGradientsTogether()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 0.0, 0.0 }).requires_grad_();
        var y = torch.tensor(new[] { 0.0 }).requires_grad_();
        ((x * torch.tensor(new[] { 3.0, 0.0 })).sum() + (y * 4.0).sum()).backward();
        var norm = torch.nn.utils.clip_grad_norm_([x, y], 1.0);
        Assert.Equal(5.0, norm, 12);
        Close([0.6, 0.0], Values(x.grad!), 1e-6);
        Close([0.8], Values(y.grad!), 1e-6);
        Assert.Equal(1.0, torch.nn.utils.clip_grad_norm_([x, y], 10.0), 5); // below the bound: unchanged
        Close([0.6, 0.0], Values(x.grad!), 1e-6);
    }

    [Fact]
    public void SchedulesGiveTheirRates()
    {
        using var layer = new Linear(1, 1);
        using var optimizer = new Adam(layer.parameters(), lr: 1e-4);
        var exponential = new ExponentialLR(optimizer, ExponentialLR.GammaFor(0.1, 1000), floor: 1e-6);
        Assert.Equal(1e-4, exponential.RateAt(0), 15);
        Assert.Equal(1e-6 + 0.99e-5, exponential.RateAt(1000), 15);
        exponential.step();
        Assert.Equal(exponential.RateAt(1), optimizer.LearningRate);

        optimizer.LearningRate = 1e-4;
        var cosine = new CosineWithWarmupLR(optimizer, warmupSteps: 10, totalSteps: 110, floor: 1e-5);
        Assert.Equal(0, optimizer.LearningRate);
        Assert.Equal(5e-5, cosine.RateAt(5), 15);
        Assert.Equal(1e-4, cosine.RateAt(10), 15);
        Assert.Equal(5.5e-5, cosine.RateAt(60), 15);
        Assert.Equal(1e-5, cosine.RateAt(110), 15);
        Assert.Equal(1e-5, cosine.RateAt(500), 15);
        cosine.Restore(60);
        Assert.Equal(5.5e-5, optimizer.LearningRate, 15);

        optimizer.LearningRate = 2.0;
        var lambda = new LambdaLR(optimizer, step => 1.0 / (step + 1));
        lambda.step();
        Assert.Equal(1.0, optimizer.LearningRate);
    }
}
