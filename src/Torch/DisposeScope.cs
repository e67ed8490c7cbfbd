namespace GnnSim.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost scope, and frees them all
/// when disposed, so a training step releases its temporaries deterministically rather than
/// waiting for the garbage collector. Keep a result with <see cref="Tensor.MoveToOuterDisposeScope"/>
/// or <see cref="Tensor.DetachFromDisposeScope"/>. Scopes nest and must be disposed in reverse order.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<Tensor> owned = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope()
    {
        Outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    internal DisposeScope? Outer { get; }

    /// <summary>How many live tensors this scope would free now.</summary>
    public int Count => owned.Count;

    internal void Attach(Tensor tensor)
    {
        owned.Add(tensor);
        tensor.OwningScope = this;
    }

    internal void Forget(Tensor tensor)
    {
        owned.Remove(tensor);
        tensor.OwningScope = null;
    }

    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
            throw new InvalidOperationException("dispose scopes must be disposed innermost first, on the thread that opened them");
        disposed = true;
        current = Outer;
        foreach (var tensor in owned)
        {
            tensor.OwningScope = null;
            tensor.Dispose();
        }
        owned.Clear();
    }
}
