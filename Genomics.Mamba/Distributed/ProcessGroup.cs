using Genomics.Mamba.Scan;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Distributed;

/// <summary>
/// The processes of a data-parallel run and the collectives between them, through libgenomamba's gm_dist_* (MPI
/// opened at run time; see native/src/dist.cpp). A job of one process is <see cref="Single"/> and never touches MPI;
/// more than one needs libgenomamba and OpenMPI, and says plainly which is missing.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    bool _disposed;

    ProcessGroup(int rank, int worldSize, int localRank, bool mpi)
    {
        Rank = rank;
        WorldSize = worldSize;
        LocalRank = localRank;
        UsesMpi = mpi;
    }

    /// <summary>One process: every collective is the identity.</summary>
    public static ProcessGroup Single { get; } = new(0, 1, 0, false);

    public int Rank { get; }

    public int WorldSize { get; }

    /// <summary>The rank among the processes on this host (which GPU a rank takes).</summary>
    public int LocalRank { get; }

    /// <summary>Rank 0: the one that writes checkpoints, metrics and progress.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>Whether MPI was started (more than one process).</summary>
    public bool UsesMpi { get; }

    /// <summary>
    /// The group the launcher started this process in (<see cref="LauncherEnvironment"/>): <see cref="Single"/> without a
    /// launcher or with one process, else MPI started through libgenomamba, its rank and size checked against the
    /// launcher's.
    /// </summary>
    public static ProcessGroup Start() => Start(LauncherEnvironment.Current());

    public static ProcessGroup Start(LauncherEnvironment launcher)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        if (launcher.WorldSize == 1)
        {
            return Single;
        }
        string where = $"this is rank {launcher.Rank} of {launcher.WorldSize} ({launcher.Launcher})";
        if (ScanBackend.FallbackReason is { } problem)
        {
            throw new InvalidOperationException($"{where}, but more than one process needs libgenomamba, which is not loaded: {problem}");
        }
        var status = NativeMethods.gm_dist_init(out int rank, out int size);
        if (status != GmStatus.Ok)
        {
            throw new InvalidOperationException($"{where}, but MPI did not start: {NativeMethods.LastError()}");
        }
        if (rank != launcher.Rank || size != launcher.WorldSize)
        {
            throw new InvalidOperationException($"{where}, but MPI says rank {rank} of {size}: launch with the mpirun of the MPI libgenomamba loads (OpenMPI)");
        }
        return new ProcessGroup(rank, size, launcher.LocalRank, true);
    }

    /// <summary>
    /// In place on every rank: <paramref name="values"/> (a contiguous fp32 or fp64 CPU tensor) becomes the sum over the ranks.
    /// <paramref name="deterministic"/>: added in rank order (the same bits whatever the MPI and the timing); otherwise
    /// MPI_Allreduce's order.
    /// </summary>
    public unsafe void AllReduceSum(Tensor values, bool deterministic)
    {
        CheckBuffer(values, nameof(values));
        if (WorldSize == 1)
        {
            return;
        }
        Check(values.dtype == ScalarType.Float64
            ? NativeMethods.gm_dist_allreduce_sum_f64((double*)NativeTensors.Ptr(values), values.numel(), deterministic ? 1 : 0)
            : NativeMethods.gm_dist_allreduce_sum_f32((float*)NativeTensors.Ptr(values), values.numel(), deterministic ? 1 : 0));
    }

    /// <summary>In place on every rank: <paramref name="values"/> (contiguous, CPU) becomes rank <paramref name="root"/>'s.</summary>
    public unsafe void Broadcast(Tensor values, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.device_type != DeviceType.CPU || !values.is_contiguous())
        {
            throw new ArgumentException("broadcast needs a contiguous CPU tensor", nameof(values));
        }
        if (WorldSize == 1)
        {
            return;
        }
        Check(NativeMethods.gm_dist_broadcast((void*)NativeTensors.Ptr(values), values.numel() * values.element_size(), root));
    }

    /// <summary>Returns when every rank has called it.</summary>
    public void Barrier()
    {
        if (WorldSize > 1)
        {
            Check(NativeMethods.gm_dist_barrier());
        }
    }

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (a rank that cannot go on). Never returns.</summary>
    public void Abort(int exitCode)
    {
        if (UsesMpi)
        {
            NativeMethods.gm_dist_abort(exitCode);
        }
        Environment.Exit(exitCode);
    }

    /// <summary>Ends MPI in this process (every rank, before exit).</summary>
    public void Dispose()
    {
        if (_disposed || !UsesMpi)
        {
            return;
        }
        _disposed = true;
        Check(NativeMethods.gm_dist_finalize());
    }

    static void CheckBuffer(Tensor values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.dtype is not (ScalarType.Float32 or ScalarType.Float64) || values.device_type != DeviceType.CPU || !values.is_contiguous())
        {
            throw new ArgumentException($"the sum needs a contiguous fp32 or fp64 CPU tensor, got {values.dtype} on {values.device_type}", name);
        }
    }

    static void Check(GmStatus status)
    {
        if (status != GmStatus.Ok)
        {
            throw new InvalidOperationException($"rank collective failed: {NativeMethods.LastError()}");
        }
    }
}
