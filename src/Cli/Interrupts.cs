using System.Runtime.InteropServices;

namespace GnnSim.Cli;

/// <summary>
/// Ctrl+C and SIGTERM as a cancellation that the commands see: a training run stops at the end of its
/// step, checkpoints and exits 130, however long the step or the save takes. The first two signals ask;
/// a third ends the process at once (for a command that does not listen). Two, because a worker of
/// `train --nproc` may get the terminal's Ctrl+C and the one its launcher passes on.
/// System.CommandLine's own handling is off: it force-exits two seconds after the signal, and a second
/// signal crashes it.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private const int GracefulSignals = 2;
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;
    private int received;

    public Interrupts() =>
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];

    public CancellationToken Token => source.Token;

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref received) > GracefulSignals) return; // the default: terminate
        context.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
