using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Fasta;

/// <summary>
/// Writes FASTA: a '>name' header, then bases wrapped at a fixed width (60 by default, as samtools faidx
/// prints). Bases may come in pieces of any size, so a chromosome can stream through a small buffer.
/// The output reads back with <see cref="FastaGenome"/> to the same names and bases.
/// </summary>
public sealed class FastaWriter : IDisposable
{
    /// <summary>samtools faidx's output width.</summary>
    public const int DefaultLineWidth = 60;

    readonly Stream _stream;
    readonly bool _leaveOpen;
    readonly byte[] _buffer = new byte[1 << 16];
    int _used;
    int _column;     // bases on the current line
    bool _inRecord, _hasBases;
    string _name = "";

    public FastaWriter(Stream stream, int lineWidth = DefaultLineWidth, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(lineWidth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lineWidth, 1 << 15);
        _stream = stream;
        _leaveOpen = leaveOpen;
        LineWidth = lineWidth;
    }

    public int LineWidth { get; }

    /// <summary>Starts a record. The name must be one word (it is what readers take as the name).</summary>
    public void BeginRecord(string name, string? description = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException($"record name '{name}' has white space or control characters; readers would take only its first word", nameof(name));
        }
        if (description is not null && description.Any(c => c is '\n' or '\r'))
        {
            throw new ArgumentException("description spans lines", nameof(description));
        }
        if (_inRecord && !_hasBases)
        {
            throw new InvalidOperationException($"record '{_name}' got no bases; FASTA readers reject or drop empty records");
        }
        EndLine();
        Put(">"u8);
        Put(Encoding.UTF8.GetBytes(description is null ? name : $"{name} {description}"));
        Put("\n"u8);
        _inRecord = true;
        _hasBases = false;
        _name = name;
    }

    /// <summary>Appends bases to the current record, wrapping lines. Bytes must be base letters.</summary>
    public void WriteBases(ReadOnlySpan<byte> bases)
    {
        if (!_inRecord)
        {
            throw new InvalidOperationException("WriteBases before BeginRecord");
        }
        int bad = BaseTable.IndexOfNonBase(bases);
        if (bad >= 0)
        {
            throw new ArgumentException($"byte {BaseTable.Describe(bases[bad])} at {bad} is not a base letter", nameof(bases));
        }
        _hasBases |= !bases.IsEmpty;
        while (!bases.IsEmpty)
        {
            if (_column == LineWidth)
            {
                Put("\n"u8);
                _column = 0;
            }
            int n = Math.Min(LineWidth - _column, bases.Length);
            Put(bases[..n]);
            _column += n;
            bases = bases[n..];
        }
    }

    /// <summary>Writes a whole record.</summary>
    public void WriteRecord(string name, ReadOnlySpan<byte> bases, string? description = null)
    {
        BeginRecord(name, description);
        WriteBases(bases);
    }

    /// <summary>Pushes buffered bytes to the stream (the record stays open).</summary>
    public void Flush()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
        _stream.Flush();
    }

    /// <summary>Ends the last line and flushes; closes the stream unless told to leave it open.</summary>
    public void Dispose()
    {
        EndLine();
        Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>
    /// Writes every record of a genome to <paramref name="path"/>, soft mask kept, streaming each record
    /// in 4 MiB pieces. Atomic: a temporary file beside the target is renamed over it when complete.
    /// </summary>
    public static void WriteGenome(IGenome genome, string path, int lineWidth = DefaultLineWidth)
    {
        ArgumentNullException.ThrowIfNull(genome);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new FastaWriter(stream, lineWidth, leaveOpen: true);
            var chunk = new byte[4 << 20];
            for (int r = 0; r < genome.Records.Count; r++)
            {
                writer.BeginRecord(genome.Records[r].Name);
                long length = genome.Records[r].Length;
                for (long at = 0; at < length; at += chunk.Length)
                {
                    Span<byte> piece = chunk.AsSpan(0, (int)Math.Min(chunk.Length, length - at));
                    genome.FetchRecord(r, at, piece, keepSoftMask: true);
                    writer.WriteBases(piece);
                }
            }
        });
    }

    void EndLine()
    {
        if (_column > 0)
        {
            Put("\n"u8);
            _column = 0;
        }
        _inRecord = false;
    }

    void Put(ReadOnlySpan<byte> bytes)
    {
        if (_used + bytes.Length > _buffer.Length)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
            if (bytes.Length > _buffer.Length)
            {
                _stream.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }
}
