namespace Genomics.Mamba.Checkpoints;

/// <summary>Which architecture a checkpoint or weights file holds.</summary>
public enum ModelKind
{
    /// <summary>A Mamba trunk (<see cref="Config.MambaConfig"/>; mamba_ssm key names).</summary>
    Mamba,

    /// <summary>A HyenaDNA trunk (<see cref="Config.HyenaConfig"/>; hyena-dna key names).</summary>
    Hyena,
}
