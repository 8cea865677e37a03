using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Genomics.Data.Fasta;

/// <summary>
/// One streaming pass over FASTA text, fed in chunks of any size (a line may span chunks, so a whole
/// chromosome on one line is fine). It follows samtools' <c>fai_build_core</c>: the record name is the
/// first word after '>', a line's bases are its printable bytes, every line of a record but the last has
/// one length, and empty lines may only separate records. Unlike samtools it rejects what would be
/// silently lost or ambiguous: a header with no name, a record with no bases, and (unless allowed) a
/// repeated name, which samtools keeps only the first of.
/// Options add what FastaGenome needs: byte validation (with ambiguity counts) and keeping the bases.
/// </summary>
internal sealed class FastaScanner
{
    const string UniformHint = "random access needs every line of a record but the last to be equally long: " +
        "re-wrap it (e.g. `seqkit seq -w 60`), or gzip it to load it into memory";

    readonly string _path;
    readonly bool _validate, _uniform, _keep, _allowDuplicates;
    readonly List<ScannedRecord> _records = [];
    readonly Dictionary<string, long> _headerLines = new(StringComparer.Ordinal);
    readonly List<byte> _name = [];

    long _pos;        // file offset of the next byte fed
    long _line = 1;   // number of the line being read
    bool _atLineStart = true;
    bool _inHeader;
    byte _firstByte;  // first byte of the line being read
    int _nameState;   // 0: before the name, 1: in it, 2: past it
    bool _skipGt;

    string? _recName;
    long _recHeaderLine, _recOffset, _recLength, _recIupac;
    long _lineLen, _charLen;   // bytes (with '\n') and bases of the record's first line
    bool _gapSeen, _shortSeen;
    long _shortLine;
    BaseBuffer? _bases;

    long _ll, _cl;    // bytes (without '\n') and bases of the current line so far
    bool _pendingCr, _lineHasContent;

    /// <param name="path">Named in errors.</param>
    /// <param name="validate">Reject bytes that are not base letters and count ambiguity codes.</param>
    /// <param name="uniformLines">Enforce the samtools line layout (needed for random access).</param>
    /// <param name="keepBases">Keep each record's bases in memory (normalised, soft mask kept).</param>
    /// <param name="allowDuplicateNames">Keep records whose name was seen before (told apart by position).</param>
    public FastaScanner(string path, bool validate, bool uniformLines, bool keepBases, bool allowDuplicateNames)
    {
        _allowDuplicates = allowDuplicateNames;
        _path = path;
        _validate = validate || keepBases;
        _uniform = uniformLines;
        _keep = keepBases;
    }

    /// <summary>Scans a whole plain file through positional reads.</summary>
    public static IReadOnlyList<ScannedRecord> ScanFile(string path, SafeFileHandle handle, bool validate, bool allowDuplicateNames)
    {
        var scanner = new FastaScanner(path, validate, uniformLines: true, keepBases: false, allowDuplicateNames);
        var buffer = new byte[1 << 20];
        long offset = 0;
        int n;
        while ((n = RandomAccess.Read(handle, buffer, offset)) > 0)
        {
            scanner.Feed(buffer.AsSpan(0, n));
            offset += n;
        }
        return scanner.Finish();
    }

    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_atLineStart)
            {
                BeginLine(data[0]);
            }
            int nl = data.IndexOf((byte)'\n');
            ReadOnlySpan<byte> piece = nl < 0 ? data : data[..nl];
            if (_inHeader)
            {
                HeaderPiece(piece);
            }
            else
            {
                SequencePiece(piece);
            }
            _pos += piece.Length;
            if (nl < 0)
            {
                return;
            }
            EndLine();
            _pos++;
            _line++;
            _atLineStart = true;
            data = data[(nl + 1)..];
        }
    }

    /// <summary>Ends the scan (the last line may lack its newline) and returns the records in file order.</summary>
    public IReadOnlyList<ScannedRecord> Finish()
    {
        if (!_atLineStart)
        {
            EndLine();
        }
        FinishRecord();
        if (_records.Count == 0)
        {
            throw _pos == 0
                ? new DataFormatException(_path, "file is empty", "expected FASTA: a '>name' line, then lines of bases")
                : new DataFormatException(_path, "no '>' header in the file", "expected FASTA: a '>name' line, then lines of bases");
        }
        return _records;
    }

    void BeginLine(byte first)
    {
        _atLineStart = false;
        _firstByte = first;
        _inHeader = first == (byte)'>';
        if (_inHeader)
        {
            FinishRecord();
            _name.Clear();
            _nameState = 0;
            _skipGt = true;
            _recHeaderLine = _line;
        }
        else
        {
            _ll = _cl = 0;
            _pendingCr = _lineHasContent = false;
        }
    }

    void EndLine()
    {
        if (_inHeader)
        {
            EndHeader();
        }
        else
        {
            EndSequenceLine();
        }
    }

    void HeaderPiece(ReadOnlySpan<byte> piece)
    {
        if (_skipGt)
        {
            // The line's first piece starts with the '>' itself.
            piece = piece[1..];
            _skipGt = false;
        }
        foreach (byte b in piece)
        {
            if (_nameState == 2)
            {
                return;
            }
            bool space = b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f';
            if (space)
            {
                _nameState = _nameState == 0 ? 0 : 2;
                continue;
            }
            _nameState = 1;
            _name.Add(b);
        }
    }

    void EndHeader()
    {
        if (_name.Count == 0)
        {
            throw Error(_recHeaderLine, "header has no name", "write the name right after '>', e.g. '>chr1'");
        }
        string name = Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(_name));
        if (!_headerLines.TryAdd(name, _recHeaderLine) && !_allowDuplicates)
        {
            throw DuplicateName(_path, _recHeaderLine, name, _headerLines[name]);
        }
        _recName = name;
        _recOffset = _pos + 1;
        _recLength = _recIupac = _lineLen = _charLen = 0;
        _gapSeen = _shortSeen = false;
        _bases = _keep ? new BaseBuffer() : null;
    }

    void SequencePiece(ReadOnlySpan<byte> piece)
    {
        if (piece.IsEmpty)
        {
            return;
        }
        if (_pendingCr)
        {
            // The carriage return held back at the end of the last chunk was not the line's end.
            _pendingCr = false;
            ContentBegins();
            if (_validate)
            {
                throw BadByte((byte)'\r');
            }
        }
        ReadOnlySpan<byte> body = piece;
        if (body[^1] == (byte)'\r')
        {
            _pendingCr = true;
            body = body[..^1];
        }
        _ll += piece.Length;
        if (body.IsEmpty)
        {
            return;
        }
        ContentBegins();
        if (!_validate)
        {
            _cl += CountGraph(body);
            return;
        }
        int bad = BaseTable.IndexOfNonBase(body);
        if (bad >= 0)
        {
            throw BadByte(body[bad]);
        }
        _cl += body.Length;
        if (_keep)
        {
            if (_recLength + _cl > Array.MaxLength)
            {
                throw Error(_line, $"record '{_recName}' is too long to hold in memory (over {Array.MaxLength} bases)",
                    "decompress it: plain FASTA is read in place through its .fai");
            }
            _recIupac += BaseTable.Normalize(_bases!.Append(body), keepSoftMask: true);
        }
        else
        {
            _recIupac += BaseTable.CountOtherIupac(body);
        }
    }

    /// <summary>Checks, once per line, that a line with bases may stand where it does.</summary>
    void ContentBegins()
    {
        if (_lineHasContent)
        {
            return;
        }
        _lineHasContent = true;
        if (_recName is null)
        {
            throw Error(_line, "sequence before the first '>' header",
                _firstByte == (byte)'@' ? "this looks like FASTQ; genomamba reads FASTA" : "FASTA starts with a '>name' line");
        }
        if (_gapSeen)
        {
            if (_uniform)
            {
                throw Error(_line, $"empty line inside record '{_recName}'", "empty lines may only come between records: remove it, or gzip the file to load it into memory");
            }
            _gapSeen = false;
        }
        if (_shortSeen)
        {
            throw Error(_line, $"record '{_recName}' continues after line {_shortLine}, which is shorter than its first line", UniformHint);
        }
    }

    void EndSequenceLine()
    {
        if (!_lineHasContent)
        {
            _gapSeen = _recName is not null;
            return;
        }
        long ll = _ll + 1, cl = _cl;
        if (_lineLen == 0)
        {
            if (ll > int.MaxValue && _uniform)
            {
                throw Error(_line, "line is longer than 2 GiB", UniformHint);
            }
            _lineLen = Math.Min(ll, int.MaxValue);
            _charLen = Math.Min(cl, int.MaxValue);
        }
        else if (_uniform)
        {
            // samtools compares line bytes only; when validating, a line with the same bytes but a
            // different line ending (CRLF mixed with LF) would also misplace bases, so compare both.
            if (ll > _lineLen || (_validate && ll == _lineLen && cl != _charLen))
            {
                throw Error(_line, $"record '{_recName}' has lines of different lengths ({cl} bases here, {_charLen} on its first line)", UniformHint);
            }
            if (ll < _lineLen)
            {
                _shortSeen = true;
                _shortLine = _line;
            }
        }
        _recLength += cl;
    }

    void FinishRecord()
    {
        if (_recName is null)
        {
            return;
        }
        if (_recLength == 0)
        {
            throw Error(_recHeaderLine, $"record '{_recName}' has no sequence", "remove the header or add its bases");
        }
        var entry = new FaiEntry(_recName, _recLength, _recOffset, (int)_charLen, (int)_lineLen);
        _records.Add(new ScannedRecord(entry, _recHeaderLine, _recIupac, _bases?.ToArray()));
        _recName = null;
        _bases = null;
    }

    /// <summary>Printable bytes (C isgraph): what samtools counts as bases.</summary>
    static long CountGraph(ReadOnlySpan<byte> s)
    {
        long n = s.Length;
        for (int i = s.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e); i >= 0; i = s.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e))
        {
            n--;
            s = s[(i + 1)..];
        }
        return n;
    }

    /// <summary>The error for a repeated name (also raised by FastaGenome for names read from a .fai).</summary>
    public static DataFormatException DuplicateName(string path, long line, string name, long firstLine) =>
        new(path, line, $"duplicate record name '{name}' (first at line {firstLine})",
            "names must be unique to look records up by name: rename one; if the file is a series of blocks read by position, open it allowing duplicate names");

    DataFormatException BadByte(byte b) =>
        Error(_line, $"unexpected byte {BaseTable.Describe(b)} in record '{_recName}'", BaseTable.HintFor(b));

    DataFormatException Error(long line, string problem, string hint) => new(_path, line, problem, hint);
}
