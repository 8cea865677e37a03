using System.Runtime.InteropServices;

namespace Genomics.Cli.Commands;

/// <summary>
/// A token cancelled by the first Ctrl+C or SIGTERM (the run then stops at the next micro-batch and writes a
/// checkpoint); a second Ctrl+C ends the process at once.
/// </summary>
public sealed class StopSignal : IDisposable
{
    readonly CancellationTokenSource _source = new();
    readonly PosixSignalRegistration[] _registrations;

    public StopSignal(Action<string> notice)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => Handle(ctx, "Ctrl+C", notice)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Handle(ctx, "SIGTERM", notice)),
        ];
    }

    public CancellationToken Token => _source.Token;

    void Handle(PosixSignalContext ctx, string what, Action<string> notice)
    {
        if (_source.IsCancellationRequested && ctx.Signal == PosixSignal.SIGINT)
        {
            return;   // second Ctrl+C: let the runtime end the process
        }
        ctx.Cancel = true;
        notice($"{what}: stopping after the current micro-batch and writing a checkpoint (Ctrl+C again to quit at once)");
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }
        _source.Dispose();
    }
}
