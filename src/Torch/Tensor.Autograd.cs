using static GnnSim.Torch.Native;

namespace GnnSim.Torch;

/// <summary>Autograd, conversion between dtypes and devices, and in-place updates.</summary>
public sealed partial class Tensor
{
    // ---- autograd ----

    public bool requires_grad
    {
        get => Check(gs_requires_grad(Handle)) != 0;
        set => Check(gs_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool requiresGrad = true)
    {
        requires_grad = requiresGrad;
        return this;
    }

    /// <summary>The accumulated gradient (a new handle to it), or null when backward has not reached this tensor.
    /// Setting null clears it.</summary>
    public unsafe Tensor? grad
    {
        get
        {
            IntPtr g;
            Check(gs_grad(Handle, &g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check(gs_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    /// <summary>Back-propagates from this tensor; a non-scalar needs the gradient of the loss with respect to it.</summary>
    public void backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check(gs_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph ? 1 : 0));

    /// <summary>The same values, cut from the autograd graph.</summary>
    public Tensor detach() => new(gs_detach(Handle));

    // ---- conversion ----

    public Tensor to(ScalarType type) => new(gs_to(Handle, (int)type, (int)device.Type, device.Index, 0));

    public Tensor to(Device target) => new(gs_to(Handle, (int)dtype, (int)target.Type, target.Index, 0));

    public Tensor to(ScalarType type, Device target) => new(gs_to(Handle, (int)type, (int)target.Type, target.Index, 0));

    public Tensor cpu() => to(Device.CPU);

    public Tensor @float() => to(ScalarType.Float32);

    public Tensor @double() => to(ScalarType.Float64);

    public Tensor @long() => to(ScalarType.Int64);

    public Tensor clone() => new(gs_clone(Handle));

    /// <summary>A second handle to the same tensor (same storage, same autograd identity).</summary>
    public Tensor alias() => new(gs_alias(Handle));

    // ---- in-place (they return this) ----

    public Tensor add_(Tensor other, double alpha = 1.0) => Inplace(InplaceBinary.Add, other, alpha);
    public Tensor sub_(Tensor other, double alpha = 1.0) => Inplace(InplaceBinary.Sub, other, alpha);
    public Tensor mul_(Tensor other) => Inplace(InplaceBinary.Mul, other, 1.0);
    public Tensor div_(Tensor other) => Inplace(InplaceBinary.Div, other, 1.0);
    public Tensor copy_(Tensor source) => Inplace(InplaceBinary.Copy, source, 1.0);
    public Tensor add_(double value) => Inplace(InplaceScalar.Add, value);
    public Tensor mul_(double value) => Inplace(InplaceScalar.Mul, value);
    public Tensor fill_(double value) => Inplace(InplaceScalar.Fill, value);
    public Tensor zero_() => Inplace(InplaceScalar.Zero, 0);
    public Tensor uniform_(double low = 0, double high = 1) => Inplace(InplaceScalar.Uniform, low, high);
    public Tensor normal_(double mean = 0, double std = 1) => Inplace(InplaceScalar.Normal, mean, std);

    /// <summary>Swaps in another tensor's data and keeps this tensor's autograd identity (PyTorch's <c>p.data = ...</c>).</summary>
    public void set_data(Tensor source) => Check(gs_set_data(Handle, source.Handle));

    private Tensor Inplace(InplaceBinary op, Tensor other, double alpha)
    {
        Check(gs_inplace_binary(op, Handle, other.Handle, alpha));
        return this;
    }

    private Tensor Inplace(InplaceScalar op, double a, double b = 0)
    {
        Check(gs_inplace_scalar(op, Handle, a, b));
        return this;
    }
}
