using Genomics.Data.Tokenization;

namespace Genomics.Data.Tests.Tokenization;

public class DnaTokenizerTests
{
    [Fact]
    public void Ids_match_the_HyenaDNA_and_Caduceus_vocabulary()
    {
        // HyenaDNA's CharacterTokenizer: special tokens [CLS] [SEP] [BOS] [MASK] [PAD] [RESERVED] [UNK] = 0..6,
        // then the characters in the order given (A, C, G, T, N) from 7.
        string[] specials = ["[CLS]", "[SEP]", "[BOS]", "[MASK]", "[PAD]", "[RESERVED]", "[UNK]"];
        for (int i = 0; i < specials.Length; i++)
        {
            Assert.Equal(specials[i], DnaTokenizer.Decode([i]));
        }
        Assert.Equal([7, 8, 9, 10, 11], DnaTokenizer.Default.Encode("ACGTN"));
        Assert.Equal(12, DnaTokenizer.VocabSize);
        Assert.Equal(0, DnaTokenizer.PaddedVocabSize % 16);
    }

    [Fact]
    public void Lowercase_is_uppercased_by_default_and_unknown_in_HyenaDNA_mode()
    {
        Assert.Equal(DnaTokenizer.Default.Encode("ACGTN"), DnaTokenizer.Default.Encode("acgtn"));
        var hyena = new DnaTokenizer(LowercasePolicy.Unknown);
        Assert.All(hyena.Encode("acgtn"), id => Assert.Equal(DnaTokenizer.Unk, id));
        Assert.Equal([DnaTokenizer.Unk, DnaTokenizer.Unk], DnaTokenizer.Default.Encode("R-"));
    }

    [Fact]
    public void Reverse_complement_on_ids_equals_reverse_complement_of_the_text()
    {
        var rng = new Random(7);
        const string alphabet = "ACGTN";
        var text = new string(Enumerable.Range(0, 1001).Select(_ => alphabet[rng.Next(5)]).ToArray());
        // Independent reverse complement on characters.
        var rc = new string(text.Reverse().Select(c => c switch { 'A' => 'T', 'T' => 'A', 'C' => 'G', 'G' => 'C', _ => c }).ToArray());
        var ids = DnaTokenizer.Default.Encode(text);
        DnaTokenizer.ReverseComplementInPlace(ids);
        Assert.Equal(DnaTokenizer.Default.Encode(rc), ids);
        DnaTokenizer.ReverseComplementInPlace(ids);
        Assert.Equal(DnaTokenizer.Default.Encode(text), ids);
    }

    [Fact]
    public void Decoding_bases_round_trips_the_encoding()
    {
        byte[] ascii = "GATTACANNNCG"u8.ToArray();
        var ids = new int[ascii.Length];
        DnaTokenizer.Default.Encode(ascii, ids);
        var back = new byte[ascii.Length];
        DnaTokenizer.DecodeBases(ids, back);
        Assert.Equal(ascii, back);
    }

    [Fact]
    public void Mismatched_buffer_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => DnaTokenizer.Default.Encode("ACG"u8, new int[2]));
    }
}

public class DnaTokenizerVectorTests
{
    [Theory]
    [InlineData(LowercasePolicy.Uppercase)]
    [InlineData(LowercasePolicy.Unknown)]
    public void Vector_encoding_equals_the_scalar_table_for_every_byte_value(LowercasePolicy policy)
    {
        var tokenizer = new DnaTokenizer(policy);
        // Every byte value at every position of a 16-byte block, plus a ragged tail.
        var bytes = new byte[256 * 17 + 5];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 + i / 256);
        }
        var fast = new int[bytes.Length];
        var slow = new int[bytes.Length];
        tokenizer.Encode(bytes, fast);
        tokenizer.EncodeScalar(bytes, slow);
        Assert.Equal(slow, fast);
    }

    [Fact]
    public void Vector_encoding_of_real_soft_masked_sequence_equals_the_scalar_table()
    {
        using var genome = Genomics.Data.Genome.GenomeFile.Open(TestData.Shared("human/hg38_biopython_blat_regions.fa"));
        var ascii = new byte[genome.Records[0].Length];
        genome.FetchRecord(0, 0, ascii, keepSoftMask: true);
        Assert.Contains((byte)'a', ascii);
        foreach (var policy in new[] { LowercasePolicy.Uppercase, LowercasePolicy.Unknown })
        {
            var t = new DnaTokenizer(policy);
            var fast = new int[ascii.Length];
            var slow = new int[ascii.Length];
            t.Encode(ascii, fast);
            t.EncodeScalar(ascii, slow);
            Assert.Equal(slow, fast);
        }
    }
}
