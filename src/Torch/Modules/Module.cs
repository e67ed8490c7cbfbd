namespace GnnSim.Torch.Modules;

/// <summary>
/// A layer or model: named parameters (trained), buffers (saved, not trained) and submodules, all
/// registered explicitly in the constructor. Parameters and buffers are owned by the module: they
/// live outside every dispose scope and are freed by <see cref="Dispose"/>.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> parameterList = [];
    private readonly List<KeyValuePair<string, Tensor>> bufferList = [];
    private readonly List<KeyValuePair<string, Module>> childList = [];

    [ThreadStatic] private static Action<Module, object?>? watch;

    /// <summary>
    /// Shows the thread's output watch, if one is set, <paramref name="module"/>'s output: <see cref="Module{TInput, TOutput}.call"/>
    /// does, and so does a module that runs a child's equation piecewise rather than through its call.
    /// </summary>
    protected static void Report(Module module, object? output) => watch?.Invoke(module, output);

    /// <summary>
    /// Until the result is disposed, every <see cref="Module{TInput, TOutput}.call"/> on this thread
    /// passes its module and output to <paramref name="onOutput"/> (as PyTorch's forward hooks do,
    /// for every layer at once). Innermost layers report first: a layer's output comes before its parent's.
    /// </summary>
    public static IDisposable WatchOutputs(Action<Module, object?> onOutput)
    {
        var previous = watch;
        watch = onOutput;
        return new Restore(() => watch = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Every submodule under this one with its dotted name (as PyTorch's named_modules, this module itself excluded).</summary>
    public IEnumerable<(string name, Module module)> named_modules()
    {
        foreach (var (name, child) in named_children())
        {
            yield return (name, child);
            foreach (var (inner, module) in child.named_modules()) yield return ($"{name}.{inner}", module);
        }
    }

    /// <summary>True while training (dropout active); set by <see cref="train"/> and <see cref="eval"/>.</summary>
    public bool training { get; private set; } = true;

    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        value.DetachFromDisposeScope();
        value.requires_grad = true;
        parameterList.Add(new(name, value));
        return value;
    }

    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        value.DetachFromDisposeScope();
        bufferList.Add(new(name, value));
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        childList.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid component name (non-empty, no dots)");
        if (parameterList.Any(p => p.Key == name) || bufferList.Any(b => b.Key == name) || childList.Any(c => c.Key == name))
            throw new ArgumentException($"{GetType().Name} already has a component named '{name}'");
    }

    public IEnumerable<(string name, Module module)> named_children() => childList.Select(c => (c.Key, c.Value));

    /// <summary>Parameters with dotted names ("layers.0.weight"), this module's first, then each child's in order.</summary>
    public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
    {
        foreach (var (name, p) in parameterList) yield return (name, p);
        if (!recurse) yield break;
        foreach (var (childName, child) in childList)
            foreach (var (name, p) in child.named_parameters()) yield return ($"{childName}.{name}", p);
    }

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (name, b) in bufferList) yield return (name, b);
        if (!recurse) yield break;
        foreach (var (childName, child) in childList)
            foreach (var (name, b) in child.named_buffers()) yield return ($"{childName}.{name}", b);
    }

    /// <summary>Number of trainable scalars.</summary>
    public long parameter_count() => parameters().Sum(p => p.numel());

    /// <summary>Parameters and buffers by dotted name. The tensors are the module's own: do not dispose them.</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, p) in named_parameters()) result[name] = p;
        foreach (var (name, b) in named_buffers()) result[name] = b;
        return result;
    }

    /// <summary>
    /// Copies values into the parameters and buffers. With <paramref name="strict"/>, every entry must
    /// match a name of this module and the other way round; shapes must always agree.
    /// </summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        var own = state_dict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
            var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"state dict does not fit {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        }
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in own)
        {
            if (!source.TryGetValue(name, out var value)) continue;
            if (!target.shape.SequenceEqual(value.shape))
                throw new ArgumentException($"'{name}' has shape [{string.Join(", ", value.shape)}] in the state dict but [{string.Join(", ", target.shape)}] in {GetType().Name}");
            target.copy_(value);
        }
    }

    public Module train(bool on = true)
    {
        training = on;
        foreach (var (_, child) in childList) child.train(on);
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> in place (tensor objects keep their identity).</summary>
    public Module to(Device device)
    {
        using var noGrad = torch.no_grad();
        foreach (var t in parameters().Concat(named_buffers().Select(b => b.buffer)))
        {
            using var moved = t.to(device);
            t.set_data(moved);
        }
        return this;
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void zero_grad()
    {
        foreach (var p in parameters()) p.grad = null;
    }

    public void Dispose()
    {
        foreach (var (_, p) in parameterList) p.Dispose();
        foreach (var (_, b) in bufferList) b.Dispose();
        foreach (var (_, child) in childList) child.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// A module with one input and one output; <see cref="forward"/> is the layer's equation, and
/// <see cref="call"/> runs it as PyTorch's <c>module(x)</c> does: with the thread's output watch, if
/// one is set (<see cref="Module.WatchOutputs"/>), so that a diagnosis can see every layer's output.
/// </summary>
public abstract class Module<TInput, TOutput> : Module
{
    public abstract TOutput forward(TInput input);

    public TOutput call(TInput input)
    {
        var output = forward(input);
        Report(this, output);
        return output;
    }
}
