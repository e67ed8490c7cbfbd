namespace GnnSim.Solvers.Mpm;

/// <summary>The constitutive models of <see cref="MpmSolver"/> (those of GNS's and GIOROM's data).</summary>
public enum MpmMaterial
{
    /// <summary>Weakly compressible fluid: Tait's equation of state on J, no shear memory.</summary>
    Water,
    /// <summary>Fixed-corotated elasticity (Stomakhin et al. 2012).</summary>
    Elastic,
    /// <summary>Drucker-Prager plasticity on the Hencky strain (Klar et al. 2016).</summary>
    Sand,
    /// <summary>Von Mises plasticity on the Hencky strain: plasticine, clay.</summary>
    Plasticine,
}

/// <summary>
/// Material constants, in the units of the scene (a unit box, density 1 by default, as Taichi's MLS-MPM
/// examples use; the wave speeds are then about 30 box lengths a second, so a frame of 2.5 ms takes
/// a dozen substeps at 128 cells).
/// </summary>
public sealed record MpmMaterialParameters
{
    public double Density { get; init; } = 1;
    public double YoungsModulus { get; init; } = 1e3;
    public double PoissonRatio { get; init; } = 0.2;
    /// <summary>Water's bulk modulus K in Tait's p = (K / gamma) (J^-gamma - 1).</summary>
    public double BulkModulus { get; init; } = 1e3;
    public double TaitExponent { get; init; } = 7;
    /// <summary>Sand's friction angle (degrees).</summary>
    public double FrictionAngle { get; init; } = 30;
    /// <summary>Plasticine's yield stress (von Mises, on the Kirchhoff stress).</summary>
    public double YieldStress { get; init; } = 10;

    public double ShearModulus => YoungsModulus / (2 * (1 + PoissonRatio));
    public double LameLambda => YoungsModulus * PoissonRatio / ((1 + PoissonRatio) * (1 - 2 * PoissonRatio));

    /// <summary>The fastest elastic (or acoustic) wave, which bounds the stable time step.</summary>
    public double WaveSpeed(MpmMaterial material) => material == MpmMaterial.Water
        ? Math.Sqrt(BulkModulus / Density)
        : Math.Sqrt((LameLambda + 2 * ShearModulus) / Density);

    public void Validate()
    {
        if (!(Density > 0)) throw new ArgumentException($"density must be positive, got {Density}");
        if (!(YoungsModulus > 0)) throw new ArgumentException($"Young's modulus must be positive, got {YoungsModulus}");
        if (!(PoissonRatio > -1 && PoissonRatio < 0.5)) throw new ArgumentException($"Poisson's ratio must be in (-1, 0.5), got {PoissonRatio}");
        if (!(BulkModulus > 0)) throw new ArgumentException($"bulk modulus must be positive, got {BulkModulus}");
        if (!(TaitExponent >= 1)) throw new ArgumentException($"Tait's exponent must be at least 1, got {TaitExponent}");
        if (!(FrictionAngle > 0 && FrictionAngle < 90)) throw new ArgumentException($"friction angle must be in (0, 90) degrees, got {FrictionAngle}");
        if (!(YieldStress > 0)) throw new ArgumentException($"yield stress must be positive, got {YieldStress}");
    }
}
