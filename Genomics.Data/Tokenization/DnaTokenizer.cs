using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Genomics.Data.Tokenization;

/// <summary>How lower-case (soft-masked) bases are tokenized.</summary>
public enum LowercasePolicy
{
    /// <summary>Soft-masked bases are real bases: upper-case them (the default; DESIGN.md).</summary>
    Uppercase,
    /// <summary>HyenaDNA's hg38 loader compatibility: lower-case letters become [UNK].</summary>
    Unknown,
}

/// <summary>
/// Character tokenizer with the HyenaDNA/Caduceus ids:
/// [CLS]=0 [SEP]=1 [BOS]=2 [MASK]=3 [PAD]=4 [RESERVED]=5 [UNK]=6 A=7 C=8 G=9 T=10 N=11.
/// Vocabulary 12, embedding padded to 16. Encoding is a 256-entry table lookup, so it runs at memory speed.
/// </summary>
public sealed class DnaTokenizer
{
    public const byte Cls = 0, Sep = 1, Bos = 2, Mask = 3, Pad = 4, Reserved = 5, Unk = 6, A = 7, C = 8, G = 9, T = 10, N = 11;

    /// <summary>Real vocabulary size.</summary>
    public const int VocabSize = 12;

    /// <summary>Embedding rows: vocabulary padded to a multiple of 16 (tensor-core friendly, as mamba_ssm does).</summary>
    public const int PaddedVocabSize = 16;

    static readonly string[] Names = ["[CLS]", "[SEP]", "[BOS]", "[MASK]", "[PAD]", "[RESERVED]", "[UNK]", "A", "C", "G", "T", "N"];
    static readonly byte[] ComplementIds = [Cls, Sep, Bos, Mask, Pad, Reserved, Unk, T, G, C, A, N];
    static readonly byte[] DecodeBytes = "???????ACGTN"u8.ToArray();

    readonly byte[] _table = new byte[256];

    public DnaTokenizer(LowercasePolicy lowercase = LowercasePolicy.Uppercase)
    {
        Lowercase = lowercase;
        Array.Fill(_table, Unk);
        foreach (var (ch, id) in new[] { ('A', A), ('C', C), ('G', G), ('T', T), ('N', N) })
        {
            _table[ch] = id;
            _table[char.ToLowerInvariant(ch)] = lowercase == LowercasePolicy.Uppercase ? id : Unk;
        }
    }

    /// <summary>The default tokenizer (lower case upper-cased).</summary>
    public static DnaTokenizer Default { get; } = new();

    public LowercasePolicy Lowercase { get; }

    /// <summary>Id of one ASCII byte; anything that is not A/C/G/T/N (either case) is [UNK].</summary>
    public byte Id(byte ascii) => _table[ascii];

    /// <summary>Encodes ASCII bases into ids (same length).</summary>
    public void Encode(ReadOnlySpan<byte> ascii, Span<byte> ids)
    {
        CheckLengths(ascii.Length, ids.Length);
        for (int i = 0; i < ascii.Length; i++)
        {
            ids[i] = _table[ascii[i]];
        }
    }

    /// <summary>Encodes ASCII bases into int ids (the batch element type).</summary>
    public void Encode(ReadOnlySpan<byte> ascii, Span<int> ids)
    {
        CheckLengths(ascii.Length, ids.Length);
        int i = Ssse3.IsSupported ? EncodeVector(ascii, ids) : 0;
        EncodeScalar(ascii[i..], ids[i..]);
    }

    /// <summary>The table-lookup reference the vector path is tested against.</summary>
    internal void EncodeScalar(ReadOnlySpan<byte> ascii, Span<int> ids)
    {
        CheckLengths(ascii.Length, ids.Length);
        for (int i = 0; i < ascii.Length; i++)
        {
            ids[i] = _table[ascii[i]];
        }
    }

    // A C G T N have distinct low nibbles (1, 3, 7, 4, E), so one byte shuffle looks up both the id and the
    // letter that nibble stands for; a byte is a base only if it equals that letter (or its lower case, when
    // lower case is accepted). 16 bytes per step instead of one: the fetch+tokenize path must run at memory
    // speed (≥ 1 GB/s per core) and the scalar lookup alone was about that.
    int EncodeVector(ReadOnlySpan<byte> ascii, Span<int> ids)
    {
        var idTable = Vector128.Create((byte)Unk, A, Unk, C, T, Unk, Unk, G, Unk, Unk, Unk, Unk, Unk, Unk, N, Unk);
        var letters = Vector128.Create((byte)0, (byte)'A', 0, (byte)'C', (byte)'T', 0, 0, (byte)'G', 0, 0, 0, 0, 0, 0, (byte)'N', 0);
        var lowNibble = Vector128.Create((byte)0x0F);
        var caseBit = Vector128.Create((byte)(Lowercase == LowercasePolicy.Uppercase ? 0x20 : 0x00));
        var unk = Vector128.Create(Unk);
        ref byte src = ref MemoryMarshal.GetReference(ascii);
        ref int dst = ref MemoryMarshal.GetReference(ids);
        int i = 0;
        for (; i + 16 <= ascii.Length; i += 16)
        {
            var b = Vector128.LoadUnsafe(ref src, (nuint)i);
            var nibble = b & lowNibble;
            var letter = Ssse3.Shuffle(letters, nibble);
            // Folding the case bit into both sides accepts lower case only when the policy says so.
            var isBase = Vector128.Equals(b | caseBit, letter | caseBit) & ~Vector128.Equals(letter, Vector128<byte>.Zero);
            var id = Vector128.ConditionalSelect(isBase, Ssse3.Shuffle(idTable, nibble), unk);
            var (lo, hi) = Vector128.Widen(id);
            var (w0, w1) = Vector128.Widen(lo);
            var (w2, w3) = Vector128.Widen(hi);
            w0.AsInt32().StoreUnsafe(ref dst, (nuint)i);
            w1.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 4));
            w2.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 8));
            w3.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 12));
        }
        return i;
    }

    public int[] Encode(string bases)
    {
        var ids = new int[bases.Length];
        Encode(System.Text.Encoding.ASCII.GetBytes(bases), ids);
        return ids;
    }

    /// <summary>Decodes ids to text: bases as letters, special tokens by their bracketed names.</summary>
    public static string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new System.Text.StringBuilder(ids.Length);
        foreach (int id in ids)
        {
            sb.Append(id is >= 0 and < VocabSize ? Names[id] : $"[{id}?]");
        }
        return sb.ToString();
    }

    /// <summary>Decodes base ids to ASCII bytes (non-base ids become '?').</summary>
    public static void DecodeBases(ReadOnlySpan<int> ids, Span<byte> ascii)
    {
        CheckLengths(ids.Length, ascii.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            ascii[i] = id is >= 0 and < VocabSize ? DecodeBytes[id] : (byte)'?';
        }
    }

    /// <summary>Reverse complement on ids, in place: reverses and maps A↔T, C↔G; N and specials unchanged.</summary>
    public static void ReverseComplementInPlace(Span<int> ids)
    {
        ids.Reverse();
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id < VocabSize)
            {
                ids[i] = ComplementIds[id];
            }
        }
    }

    /// <summary>Reverse complement on ids into a separate buffer.</summary>
    public static void ReverseComplement(ReadOnlySpan<int> ids, Span<int> destination)
    {
        CheckLengths(ids.Length, destination.Length);
        ids.CopyTo(destination);
        ReverseComplementInPlace(destination);
    }

    static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"destination length {destination} differs from source length {source}");
        }
    }
}
