using System.Collections;
using Genomics.Mamba.Distributed;

namespace Genomics.Mamba.Tests.Distributed;

/// <summary>Rank, world size and local rank from what mpirun, srun and PMI launchers set; one process touches no MPI.</summary>
public class LauncherEnvironmentTests
{
    static Hashtable Env(params (string Name, string Value)[] vars)
    {
        var env = new Hashtable();
        foreach (var (name, value) in vars)
        {
            env[name] = value;
        }
        return env;
    }

    [Fact]
    public void Without_a_launcher_the_process_is_alone_and_needs_no_MPI()
    {
        var env = LauncherEnvironment.From(Env(("PATH", "/usr/bin")));
        Assert.Same(LauncherEnvironment.Single, env);
        Assert.Same(ProcessGroup.Single, ProcessGroup.Start(env));
        Assert.False(ProcessGroup.Single.UsesMpi);
        Assert.True(ProcessGroup.Single.IsMain);
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "mpirun (OpenMPI)")]
    [InlineData("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "srun (Slurm)")]
    [InlineData("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "PMI")]
    public void Each_launchers_variables_give_rank_size_and_local_rank(string rank, string size, string local, string launcher)
    {
        var env = LauncherEnvironment.From(Env((rank, "3"), (size, "4"), (local, "1")));
        Assert.Equal(new LauncherEnvironment(3, 4, 1, launcher), env);
    }

    [Fact]
    public void OpenMPI_wins_over_a_Slurm_allocation_it_runs_inside()
    {
        // mpirun inside an salloc: SLURM_* describe the allocation, OMPI_* this process.
        var env = LauncherEnvironment.From(Env(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1"), ("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "2")));
        Assert.Equal((1, 2), (env.Rank, env.WorldSize));
    }

    [Theory]
    [InlineData("2", "2")]
    [InlineData("-1", "2")]
    [InlineData("x", "2")]
    [InlineData("0", "0")]
    public void Inconsistent_values_are_one_clear_error(string rank, string size)
    {
        var e = Assert.Throws<ArgumentException>(() => LauncherEnvironment.From(Env(("OMPI_COMM_WORLD_RANK", rank), ("OMPI_COMM_WORLD_SIZE", size))));
        Assert.Contains("OMPI_COMM_WORLD_", e.Message);
    }
}
