namespace Genomics.Data.Datasets;

/// <summary>
/// Yields the batches of an epoch in order while worker threads fill the next ones. Batches are claimed
/// in order and each lands in slot (k − start) mod Prefetch, a fixed pool of <see cref="Batch"/> buffers
/// reused for every batch and every epoch, so steady-state loading allocates nothing. Because a batch's
/// content comes only from <see cref="IBatchSource.FillBatch"/>(epoch, k), the stream is the same for any
/// number of workers and a run resumed at batch k continues exactly where it left off.
/// A worker's exception reaches the consumer as <see cref="BatchLoadException"/>; cancellation as
/// <see cref="OperationCanceledException"/>. One epoch at a time per loader.
/// </summary>
public sealed class PrefetchLoader
{
    readonly IBatchSource _source;
    Batch[]? _slots;
    int _busy;

    public PrefetchLoader(IBatchSource source, PrefetchLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new PrefetchLoaderOptions();
        options.Validate();
        _source = source;
        Options = options;
    }

    public PrefetchLoaderOptions Options { get; }

    public IBatchSource Source => _source;

    /// <summary>
    /// Batches <paramref name="startBatch"/> … BatchCount(epoch) − 1 of <paramref name="epoch"/>, in order.
    /// Each yielded batch is lent: it stays valid until the next MoveNext (or Dispose), after which its
    /// buffers are refilled — copy what you need to keep. Workers start on the first MoveNext and are
    /// stopped and joined when the enumeration ends, however it ends.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int startBatch = 0, CancellationToken cancellationToken = default)
    {
        int count = _source.BatchCount(epoch);
        if (startBatch < 0 || startBatch > count)
        {
            throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, $"epoch {epoch} has {count} batches");
        }
        return Run(epoch, startBatch, count, cancellationToken);
    }

    IEnumerable<Batch> Run(int epoch, int start, int end, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            throw new InvalidOperationException("this loader is already running an epoch; finish or dispose that enumeration first (its batch buffers are shared)");
        }
        try
        {
            _slots ??= Enumerable.Range(0, Options.Prefetch).Select(_ => new Batch(_source.BatchSize, _source.Length)).ToArray();
            using var run = new EpochRun(_source, _slots, Options.Workers, epoch, start, end, cancellationToken);
            for (int k = start; k < end; k++)
            {
                Batch batch = run.Take(k);
                yield return batch;
                run.Release(k);
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Workers and slot bookkeeping of one enumeration; every field is guarded by <c>_gate</c>.</summary>
    sealed class EpochRun : IDisposable
    {
        enum SlotState { Free, Filling, Ready, Lent }

        readonly object _gate = new();
        readonly IBatchSource _source;
        readonly Batch[] _slots;
        readonly SlotState[] _state;
        // The batch index a slot may take next: batch k uses slot (k − start) mod P only after k − P left it.
        readonly int[] _turn;
        readonly int _epoch, _start, _end;
        readonly CancellationToken _cancellation;
        readonly CancellationTokenRegistration _registration;
        readonly Thread[] _workers;
        int _nextClaim;
        bool _stop;
        Exception? _fault;
        int _faultBatch;

        public EpochRun(IBatchSource source, Batch[] slots, int workers, int epoch, int start, int end, CancellationToken cancellation)
        {
            _source = source;
            _slots = slots;
            _state = new SlotState[slots.Length];
            _turn = new int[slots.Length];
            for (int s = 0; s < slots.Length; s++)
            {
                _turn[s] = start + s;
            }
            (_epoch, _start, _end, _nextClaim) = (epoch, start, end, start);
            _cancellation = cancellation;
            _registration = cancellation.Register(StopAll);
            // More workers than batches would only idle.
            _workers = new Thread[Math.Max(0, Math.Min(workers, end - start))];
            for (int i = 0; i < _workers.Length; i++)
            {
                _workers[i] = new Thread(Work) { IsBackground = true, Name = $"genomamba-loader-{i}" };
                _workers[i].Start();
            }
        }

        public Batch Take(int k)
        {
            _cancellation.ThrowIfCancellationRequested();
            int s = (k - _start) % _slots.Length;
            lock (_gate)
            {
                while (!(_turn[s] == k && _state[s] == SlotState.Ready))
                {
                    if (_fault is not null)
                    {
                        throw new BatchLoadException(_epoch, _faultBatch, _fault);
                    }
                    _cancellation.ThrowIfCancellationRequested();
                    Monitor.Wait(_gate);
                }
                _state[s] = SlotState.Lent;
                return _slots[s];
            }
        }

        public void Release(int k)
        {
            int s = (k - _start) % _slots.Length;
            lock (_gate)
            {
                _state[s] = SlotState.Free;
                _turn[s] = k + _slots.Length;
                Monitor.PulseAll(_gate);
            }
        }

        // Stops the workers and waits for them, so no thread writes into the slots after the run ends.
        public void Dispose()
        {
            StopAll();
            _registration.Dispose();
            foreach (var worker in _workers)
            {
                worker.Join();
            }
        }

        void StopAll()
        {
            lock (_gate)
            {
                _stop = true;
                Monitor.PulseAll(_gate);
            }
        }

        void Work()
        {
            while (true)
            {
                int k, s;
                lock (_gate)
                {
                    if (_stop || _nextClaim >= _end)
                    {
                        return;
                    }
                    k = _nextClaim++;
                    s = (k - _start) % _slots.Length;
                    while (!_stop && !(_turn[s] == k && _state[s] == SlotState.Free))
                    {
                        Monitor.Wait(_gate);
                    }
                    if (_stop)
                    {
                        return;
                    }
                    _state[s] = SlotState.Filling;
                }
                try
                {
                    _source.FillBatch(_epoch, k, _slots[s]);
                }
                catch (Exception ex)
                {
                    lock (_gate)
                    {
                        if (_fault is null)
                        {
                            (_fault, _faultBatch) = (ex, k);
                        }
                        _stop = true;
                        Monitor.PulseAll(_gate);
                    }
                    return;
                }
                lock (_gate)
                {
                    _state[s] = SlotState.Ready;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
