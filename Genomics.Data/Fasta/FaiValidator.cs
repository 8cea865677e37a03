using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Genomics.Data.Fasta;

/// <summary>
/// Checks that a .fai describes the FASTA beside it, without reading the sequence: a few small reads per
/// record. Each record's header line (with that name) must end right before its offset; its first line
/// must break where the layout says; its last base must be followed by a line ending or the end of the
/// file; only empty lines may lie between records and after the last. A stale index (the FASTA edited
/// or replaced) fails one of these. Lines in the middle of a record are checked as fetches cross them.
/// Returns the line number of each record's header, which error messages need.
/// </summary>
internal static class FaiValidator
{
    const string Hint = "delete it or rebuild with `genomamba data index`";
    const int MaxGap = 1 << 20;

    public static long[] Validate(string fastaPath, string faiPath, SafeFileHandle handle, IReadOnlyList<FaiEntry> entries)
    {
        string fasta = Path.GetFileName(fastaPath);
        long fileLength = RandomAccess.GetLength(handle);
        var headerLines = new long[entries.Count];
        long prevEnd = 0, line = 1;
        for (int k = 0; k < entries.Count; k++)
        {
            FaiEntry e = entries[k];
            DataFormatException Mismatch(string problem) => new(faiPath, k + 1, $"does not match {fasta}: record '{e.Name}' {problem}", Hint);

            if (e.Length < 1)
            {
                throw Mismatch("has no bases");
            }
            if (e.Offset <= prevEnd || e.Offset > fileLength)
            {
                throw Mismatch(e.Offset > fileLength
                    ? $"starts at byte {e.Offset}, past the end of the file ({fileLength} bytes)"
                    : $"starts at byte {e.Offset}, before the end of the record before it");
            }
            if (e.Offset - prevEnd > MaxGap)
            {
                throw Mismatch($"is preceded by {e.Offset - prevEnd} bytes that are not its header");
            }

            // [prevEnd, Offset) holds empty lines, then the header line with its '\n'.
            byte[] before = ReadExactly(handle, prevEnd, (int)(e.Offset - prevEnd));
            if (before[^1] != (byte)'\n')
            {
                throw Mismatch($"does not start right after a header line (offset {e.Offset})");
            }
            int headerStart = before.AsSpan(0, before.Length - 1).LastIndexOf((byte)'\n') + 1;
            if (before.AsSpan(0, headerStart).IndexOfAnyExcept((byte)'\n', (byte)'\r') >= 0)
            {
                throw Mismatch(k == 0 ? "is not the first record in the file" : $"does not directly follow record '{entries[k - 1].Name}'");
            }
            line += before.AsSpan(0, headerStart).Count((byte)'\n');
            string? name = HeaderName(before.AsSpan(headerStart, before.Length - 1 - headerStart));
            if (name != e.Name)
            {
                throw Mismatch(name is null ? $"has no header line ending at offset {e.Offset}" : $"is named '{name}' in the FASTA header at line {line}");
            }
            headerLines[k] = line;

            long lines = e.LineCount;
            long lastStart = e.Offset + (lines - 1) * e.LineWidth;
            int lastBases = (int)(e.Length - (lines - 1) * e.LineBases);
            if (lastStart + lastBases > fileLength)
            {
                throw Mismatch($"of {e.Length} bases runs past the end of the file");
            }
            if (lines > 1 && !IsLineEnding(ReadExactly(handle, e.Offset + e.LineBases, e.LineWidth - e.LineBases)))
            {
                throw Mismatch($"does not have {e.LineBases} bases on its first line (line {line + 1})");
            }
            // The line before the last must end right before it, and the last line's bases (their tail;
            // a whole chromosome may be one line) must hold no line break.
            if (lines > 1 && ReadExactly(handle, lastStart - 1, 1)[0] != (byte)'\n')
            {
                throw Mismatch($"has lines that are not {e.LineBases} bases long");
            }
            int seen = Math.Min(lastBases, 4096);
            long to = Math.Min(lastStart + lastBases + 2, fileLength);
            byte[] tail = ReadExactly(handle, lastStart + lastBases - seen, (int)(to - (lastStart + lastBases - seen)));
            if (tail.AsSpan(0, seen).IndexOfAny((byte)'\n', (byte)'\r') >= 0)
            {
                throw Mismatch($"is shorter than {e.Length} bases or has lines that are not {e.LineBases} bases long");
            }
            int ending = EndingLength(tail.AsSpan(seen));
            if (ending < 0)
            {
                throw Mismatch($"is longer than {e.Length} bases (no line break after its last base, line {line + lines})");
            }
            prevEnd = lastStart + lastBases + ending;
            line += lines + 1;
        }

        long rest = RandomAccess.GetLength(handle) - prevEnd;
        if (rest > MaxGap || (rest > 0 && ReadExactly(handle, prevEnd, (int)rest).AsSpan().IndexOfAnyExcept((byte)'\n', (byte)'\r') >= 0))
        {
            throw new DataFormatException(faiPath, entries.Count,
                $"does not match {fasta}: the FASTA goes on after record '{entries[^1].Name}', the last one indexed", Hint);
        }
        return headerLines;
    }

    /// <summary>First word after '>' (samtools' record name), or null when the line is not a header.</summary>
    static string? HeaderName(ReadOnlySpan<byte> header)
    {
        if (header.IsEmpty || header[0] != (byte)'>')
        {
            return null;
        }
        ReadOnlySpan<byte> ws = " \t\r\v\f"u8;
        header = header[1..];
        int start = header.IndexOfAnyExcept(ws);
        if (start < 0)
        {
            return "";
        }
        header = header[start..];
        int end = header.IndexOfAny(ws);
        return Encoding.UTF8.GetString(end < 0 ? header : header[..end]);
    }

    /// <summary>A line ending as samtools measures it: non-printable bytes, the last one '\n'.</summary>
    static bool IsLineEnding(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 0 && bytes[^1] == (byte)'\n' && bytes.IndexOfAnyInRange((byte)0x21, (byte)0x7e) < 0;

    /// <summary>Length of the line ending at the start of <paramref name="bytes"/> (0 at end of file), or -1.</summary>
    static int EndingLength(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [] => 0,
        [(byte)'\n', ..] => 1,
        [(byte)'\r', (byte)'\n', ..] => 2,
        _ => -1,
    };

    static byte[] ReadExactly(SafeFileHandle handle, long offset, int count)
    {
        var buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(done), offset + done);
            if (n == 0)
            {
                throw new EndOfStreamException($"file ended at {offset + done} while reading {count} bytes at {offset}");
            }
            done += n;
        }
        return buffer;
    }
}
