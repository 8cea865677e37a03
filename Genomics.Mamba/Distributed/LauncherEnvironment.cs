using System.Collections;
using System.Globalization;

namespace Genomics.Mamba.Distributed;

/// <summary>
/// This process's place in a multi-process job, as the launcher says it: OpenMPI's mpirun (OMPI_COMM_WORLD_RANK,
/// _SIZE, _LOCAL_RANK), Slurm's srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID), or a PMI launcher (PMI_RANK,
/// PMI_SIZE, MPI_LOCALRANKID). Read without starting MPI, so a single process never touches it.
/// </summary>
public sealed record LauncherEnvironment(int Rank, int WorldSize, int LocalRank, string Launcher)
{
    /// <summary>One process, no launcher.</summary>
    public static LauncherEnvironment Single { get; } = new(0, 1, 0, "none");

    /// <summary>The launcher's view from the current process environment.</summary>
    public static LauncherEnvironment Current() => From(Environment.GetEnvironmentVariables());

    /// <summary>The launcher's view from <paramref name="environment"/> (variable name → value); <see cref="Single"/> when none is set.</summary>
    public static LauncherEnvironment From(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment[name] as string;
        foreach (var (launcher, rank, size, local) in Known)
        {
            if (Get(rank) is { } r && Get(size) is { } s)
            {
                int worldSize = Parse(size, s), rankValue = Parse(rank, r);
                int localRank = Get(local) is { } l ? Parse(local, l) : 0;
                if (worldSize < 1 || rankValue < 0 || rankValue >= worldSize || localRank < 0)
                {
                    throw new ArgumentException($"{launcher}: {rank}={r} and {size}={s} do not describe a rank of the job");
                }
                return new LauncherEnvironment(rankValue, worldSize, localRank, launcher);
            }
        }
        return Single;
    }

    static readonly (string Launcher, string Rank, string Size, string LocalRank)[] Known =
    [
        ("mpirun (OpenMPI)", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
        ("srun (Slurm)", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"),
        ("PMI", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),
    ];

    static int Parse(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"{name}={value} is not a non-negative integer");
}
