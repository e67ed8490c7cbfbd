using System.Runtime.InteropServices;
using GnnSim.Cli.Commands;

namespace GnnSim.Cli;

/// <summary>
/// Ctrl+C and SIGTERM as a cancellation that the commands see: a training run stops at the end of its
/// step, checkpoints and exits 130, however long the step or the save takes. Only commands that
/// listen (<see cref="Listen"/>: train, quickstart, benchmark) get this: any other ends at the
/// signal, as a program does by default (what they write is written atomically). For a listening
/// command the first two signals ask; a third ends the process at once. Two, because a worker of
/// `train --nproc` may get the terminal's Ctrl+C and the one its launcher passes on.
/// System.CommandLine's own handling is off: it force-exits two seconds after the signal, and a second
/// signal crashes it. A gnnsim started by another (a launcher's worker, a benchmark's run) is also
/// interrupted when that parent dies, and ends a minute later if its command has not stopped by then.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private const int GracefulSignals = 2;
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;
    private int received;

    private static readonly TimeSpan OrphanGrace = TimeSpan.FromMinutes(1);
    private static int listeners;

    /// <summary>Until disposed, this process's command stops on its own at an interrupt (it watches <see cref="Token"/>).</summary>
    public static IDisposable Listen()
    {
        Interlocked.Increment(ref listeners);
        return new Listening();
    }

    private sealed class Listening : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) Interlocked.Decrement(ref listeners);
        }
    }

    private static bool AnyoneListens => Volatile.Read(ref listeners) > 0;

    public Interrupts()
    {
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
        if (ThisProgram.WatchingParent() is { } parent) new Thread(() => WatchParent(parent)) { IsBackground = true, Name = "parent watch" }.Start();
    }

    private void WatchParent(int parent)
    {
        while (ThisProgram.IsParent(parent)) Thread.Sleep(250);
        Console.Error.WriteLine($"gnnsim: the gnnsim that started this one (pid {parent}) is gone; stopping as if interrupted");
        if (!AnyoneListens) Environment.Exit(130);
        try { source.Cancel(); }
        catch (ObjectDisposedException) { return; } // the command has ended already
        Thread.Sleep(OrphanGrace);
        Environment.Exit(130);
    }

    public CancellationToken Token => source.Token;

    private void Handle(PosixSignalContext context)
    {
        if (!AnyoneListens || Interlocked.Increment(ref received) > GracefulSignals) return; // the default: terminate
        context.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
