using Genomics.Data.Genome;

namespace Genomics.Data.Fasta;

/// <summary>
/// A FASTA file as an <see cref="IGenome"/>. Plain FASTA is read in place: through its <c>.fai</c> when
/// one lies beside it (checked against the file first), else through a layout built by one streaming
/// scan (kept in memory, not written). gzip and BGZF files (recognised by their magic bytes, not their
/// name) are decompressed once into memory. Either way bases come out validated and normalised, and
/// fetches are safe from several threads at once.
/// </summary>
public sealed class FastaGenome : IGenome, IAmbiguityCounts
{
    readonly PlainFastaFile? _plain;
    readonly InMemoryGenome? _memory;
    readonly long[] _otherIupac; // -1 until counted (plain file opened through a .fai)

    FastaGenome(string path, IReadOnlyList<SequenceRecord> records, PlainFastaFile? plain, InMemoryGenome? memory, long[] otherIupac)
    {
        Path = path;
        Records = records;
        Chromosomes = new ChromosomeMap(records);
        _plain = plain;
        _memory = memory;
        _otherIupac = otherIupac;
    }

    /// <summary>
    /// Opens a FASTA file (.fa, .fa.gz, BGZF). Throws <see cref="DataFormatException"/> naming the file
    /// and line for malformed input, and naming the .fai when an index beside it does not match.
    /// </summary>
    /// <param name="allowDuplicateNames">
    /// Accept records that repeat an earlier name (an alignment export of blocks, say). They stay
    /// reachable by index; looking a name up finds its first record, as samtools does.
    /// </param>
    public static FastaGenome Open(string path, bool allowDuplicateNames = false)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            Span<byte> head = stackalloc byte[2];
            int n = RandomAccess.Read(handle, head, 0);
            if (GzipIntegrity.IsGzip(head[..n]))
            {
                handle.Dispose();
                return FromMemory(path, GzipFastaLoader.Load(path, allowDuplicateNames));
            }
            return FromPlain(path, handle, allowDuplicateNames);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    static FastaGenome FromMemory(string path, IReadOnlyList<ScannedRecord> scanned)
    {
        var memory = new InMemoryGenome(path, scanned.Select(r => (r.Entry.Name, r.Bases!)).ToArray());
        return new FastaGenome(path, memory.Records, null, memory, scanned.Select(r => r.OtherIupac).ToArray());
    }

    static FastaGenome FromPlain(string path, Microsoft.Win32.SafeHandles.SafeFileHandle handle, bool allowDuplicateNames)
    {
        string faiPath = path + ".fai";
        PlainFastaFile plain;
        long[] otherIupac;
        if (File.Exists(faiPath))
        {
            var entries = FaiIndex.Read(faiPath);
            long[] headerLines = FaiValidator.Validate(path, faiPath, handle, entries);
            if (!allowDuplicateNames)
            {
                RejectDuplicates(path, entries, headerLines);
            }
            plain = new PlainFastaFile(path, handle, entries, headerLines, fromIndexFile: true);
            otherIupac = new long[entries.Count];
            Array.Fill(otherIupac, -1);
        }
        else
        {
            var scanned = FastaScanner.ScanFile(path, handle, validate: true, allowDuplicateNames);
            plain = new PlainFastaFile(path, handle, scanned.Select(r => r.Entry).ToArray(), scanned.Select(r => r.HeaderLine).ToArray(), fromIndexFile: false);
            otherIupac = scanned.Select(r => r.OtherIupac).ToArray();
        }
        var records = plain.Entries.Select(e => SequenceRecord.FromName(e.Name, e.Length)).ToArray();
        return new FastaGenome(path, records, plain, null, otherIupac);
    }

    static void RejectDuplicates(string path, IReadOnlyList<FaiEntry> entries, long[] headerLines)
    {
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            if (!first.TryAdd(entries[i].Name, headerLines[i]))
            {
                throw FastaScanner.DuplicateName(path, headerLines[i], entries[i].Name, first[entries[i].Name]);
            }
        }
    }

    public string Path { get; }
    public IReadOnlyList<SequenceRecord> Records { get; }
    public ChromosomeMap Chromosomes { get; }

    /// <summary>True when the file was gzip/BGZF and is served from memory.</summary>
    public bool IsCompressed => _memory is not null;

    /// <summary>The line layout of a plain file (from its .fai or the opening scan); null when compressed.</summary>
    public IReadOnlyList<FaiEntry>? Index => _plain?.Entries;

    public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false)
    {
        if (_memory is not null)
        {
            _memory.FetchRecord(record, offset, destination, keepSoftMask);
        }
        else
        {
            _plain!.Fetch(record, offset, destination, keepSoftMask);
        }
    }

    /// <summary>
    /// Non-N IUPAC codes in a record. Known after opening a compressed file or scanning a plain one;
    /// through a .fai, the record is read once on first request (this also validates all its bytes).
    /// </summary>
    public long OtherIupacCount(int record)
    {
        long n = Volatile.Read(ref _otherIupac[record]);
        if (n < 0)
        {
            n = _plain!.CountOtherIupac(record);
            Volatile.Write(ref _otherIupac[record], n);
        }
        return n;
    }

    public void Dispose() => _plain?.Dispose();
}
