using System.CommandLine;
using System.Diagnostics;
using GnnSim.Torch;
using GnnSim.Torch.Modules;
using GnnSim.Torch.Optimizers;
using F = GnnSim.Torch.torch.nn.functional;

namespace GnnSim.Cli.Commands;

/// <summary>
/// The smallest real job, until the MeshGraphNet quickstart exists: an MLP learns
/// f(x, y) = sin(pi x) cos(pi y) on [-1, 1]^2 and prints its falling loss.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "training steps", DefaultValueFactory = _ => 2000 };
        var seed = new Option<ulong>("--seed") { Description = "random seed", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var command = new Command("quickstart", "Train a small network on an embedded problem and print its falling loss.") { steps, seed, threads };
        command.SetAction(result =>
        {
            CommonOptions.ConfigureRuntime(result.GetValue(threads));
            return Run(result.GetValue(steps), result.GetValue(seed));
        });
        return command;
    }

    private static int Run(int steps, ulong seed)
    {
        if (steps < 1) throw new ArgumentException("--steps must be at least 1");
        torch.manual_seed(seed);
        const int side = 32;
        var points = new float[side * side * 2];
        var values = new float[side * side];
        for (var i = 0; i < side; i++)
        for (var j = 0; j < side; j++)
        {
            double x = -1 + 2.0 * i / (side - 1), y = -1 + 2.0 * j / (side - 1);
            var k = i * side + j;
            points[2 * k] = (float)x;
            points[2 * k + 1] = (float)y;
            values[k] = (float)(Math.Sin(Math.PI * x) * Math.Cos(Math.PI * y));
        }
        using var inputs = torch.tensor(points, side * side, 2);
        using var targets = torch.tensor(values, side * side, 1);
        using var model = new Sequential(new Linear(2, 64), new Tanh(), new Linear(64, 64), new Tanh(), new Linear(64, 1));
        using var optimizer = new Adam(model.parameters(), lr: 1e-2);
        var schedule = new ExponentialLR(optimizer, ExponentialLR.GammaFor(0.1, steps));

        Console.WriteLine($"quickstart: MLP 2-64-64-1 learns sin(pi x) cos(pi y) on a {side}x{side} grid ({model.parameter_count()} parameters, {steps} Adam steps)");
        var clock = Stopwatch.StartNew();
        double first = double.NaN, last = double.NaN;
        for (var step = 0; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.mse_loss(model.forward(inputs), targets);
            last = loss.item();
            if (step == 0) first = last;
            if (step % Math.Max(1, steps / 10) == 0 || step == steps)
                Console.WriteLine($"  step {step,6}  loss {last:E3}  lr {optimizer.LearningRate:E2}");
            if (step == steps) break;
            loss.backward();
            optimizer.step();
            schedule.step();
        }
        Console.WriteLine($"loss fell {first / last:F0}x in {clock.Elapsed.TotalSeconds:F1} s");
        return last < first ? 0 : 1;
    }
}
