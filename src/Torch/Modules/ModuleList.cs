using System.Collections;

namespace GnnSim.Torch.Modules;

/// <summary>An indexable list of registered submodules ("0", "1", ...), e.g. the processor blocks of a GNN.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = [];

    public ModuleList(IEnumerable<T>? modules = null)
    {
        foreach (var module in modules ?? []) Add(module);
    }

    public int Count => items.Count;

    public T this[int index] => items[index];

    public void Add(T module) => items.Add(RegisterModule(items.Count.ToString(), module));

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
