namespace GnnSim.Torch.Optimizers;

/// <summary>AdamW (Loshchilov and Hutter, 2019): Adam with weight decay applied to the weights, p -= lr wd p.</summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 1e-2)
    : Adam(parameters, lr, beta1, beta2, eps, weight_decay)
{
    protected override bool DecoupledWeightDecay => true;
}
