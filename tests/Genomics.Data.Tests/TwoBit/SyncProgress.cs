namespace Genomics.Data.Tests.TwoBit;

/// <summary>IProgress that calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool, so reports arrive late).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
