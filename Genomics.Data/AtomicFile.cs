namespace Genomics.Data;

/// <summary>
/// Replace-or-nothing file writes: the content goes to a temporary file in the target's own directory (same file
/// system, so the final rename is atomic), is flushed to disk, then renamed over the target. A crash or exception
/// mid-write leaves the previous file untouched and removes the temporary one. The one implementation: every output of
/// the toolkit (indexes, FASTA, checkpoints, weights, results, charts) is written through it.
/// </summary>
public static class AtomicFile
{
    /// <summary>Prefix of the temporary files (".name.tmp-…" beside the target): hidden, and easy to recognise as debris after a power cut.</summary>
    public const string TempMarker = ".tmp-";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{path} has no directory", nameof(path));
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}{TempMarker}{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);   // data on disk before the rename makes it visible
            }
            File.Move(temp, full, overwrite: true);  // rename(2): readers see the old file or the new one, never a mix
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the original exception matters more than debris, which TempMarker makes recognisable.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
