using Genomics.Data.Parquet;
using Genomics.Data.Tokenization;
using Parquet;
using Parquet.Serialization;

namespace Genomics.Data.Tests.Parquet;

public class ParquetShardTests
{
    static readonly ParquetShardMetadata Meta = ParquetShardMetadata.For(DnaTokenizer.Default, 64, ["ant", "bee"]);

    static ParquetSample Sample(int i, int length = 64) => new()
    {
        Source = "ants.fa",
        Species = i % 2 == 0 ? "ant" : "bee",
        Label = i % 2,
        Chrom = $"chr{i % 3 + 1}",
        Start = 1000L * i,
        Strand = i % 4 == 0 ? "-" : "+",
        Length = length,
        Tokens = Enumerable.Range(0, length).Select(k => (byte)(7 + (i + k) % 5)).ToArray(),
    };

    static async Task WriteAsync(string directory, int count, int perShard = 10, ParquetShardMetadata? metadata = null, int? rowGroupRows = null)
    {
        await using var writer = new ParquetShardWriter(directory, metadata ?? Meta, perShard) { RowGroupRows = rowGroupRows };
        for (int i = 0; i < count; i++)
        {
            await writer.WriteAsync(Sample(i, (metadata ?? Meta).SequenceLength));
        }
        await writer.CompleteAsync();
    }

    static async Task<List<ParquetSample>> ReadAllAsync(ParquetShardReader reader)
    {
        var samples = new List<ParquetSample>();
        await foreach (var sample in reader.ReadAllAsync())
        {
            samples.Add(sample);
        }
        return samples;
    }

    [Fact]
    public async Task Samples_come_back_in_order_with_every_column_from_numbered_shards()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 25, perShard: 10, rowGroupRows: 3);
        Assert.Equal(["shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        var reader = await ParquetShardReader.OpenAsync(dir.Path, sequenceLength: 64);
        Assert.Equal(25, reader.Count);
        var samples = await ReadAllAsync(reader);
        Assert.Equal(25, samples.Count);
        for (int i = 0; i < 25; i++)
        {
            var (expected, actual) = (Sample(i), samples[i]);
            Assert.Equal((expected.Source, expected.Species, expected.Label, expected.Chrom, expected.Start, expected.Strand, expected.Length),
                (actual.Source, actual.Species, actual.Label, actual.Chrom, actual.Start, actual.Strand, actual.Length));
            Assert.Equal(expected.Tokens, actual.Tokens);
        }
    }

    [Fact]
    public async Task File_metadata_records_tokenizer_length_labels_and_version()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 3);
        var reader = await ParquetShardReader.OpenAsync(dir.Path);
        Assert.Equal(Meta, reader.Metadata with { Labels = Meta.Labels });
        Assert.Equal(["ant", "bee"], reader.Metadata.Labels);
        Assert.Equal("[CLS] [SEP] [BOS] [MASK] [PAD] [RESERVED] [UNK] A C G T N", reader.Metadata.Vocabulary);
        Assert.Equal(ParquetShardMetadata.CurrentGenomambaVersion, reader.Metadata.GenomambaVersion);

        await using var raw = await ParquetReader.CreateAsync(Path.Combine(dir.Path, "shard-00000.parquet"));
        Assert.Equal("64", raw.CustomMetadata["genomamba.sequence_length"]);
        Assert.Equal("genomamba-char", raw.CustomMetadata["genomamba.tokenizer"]);
    }

    [Fact]
    public async Task Shards_of_another_length_or_lowercase_policy_are_refused_naming_the_file()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 3);
        var length = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path, sequenceLength: 128));
        Assert.Equal(Path.Combine(dir.Path, "shard-00000.parquet"), length.FilePath);
        Assert.Contains("rows hold 64 tokens, 128 were asked for", length.Message);
        var policy = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path, lowercase: LowercasePolicy.Unknown));
        Assert.Contains("lowercase policy Uppercase", policy.Message);
    }

    [Fact]
    public async Task A_truncated_shard_is_reported_by_name()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 25);
        string victim = Path.Combine(dir.Path, "shard-00001.parquet");
        byte[] bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path));
        Assert.Equal(victim, ex.FilePath);
        Assert.StartsWith($"{victim}: not a readable Parquet shard", ex.Message);
    }

    [Fact]
    public async Task A_file_of_garbage_is_reported_by_name()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 5);
        string victim = Path.Combine(dir.Path, "shard-00001.parquet");
        File.WriteAllBytes(victim, Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray());
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path));
        Assert.Equal(victim, ex.FilePath);
    }

    [Fact]
    public async Task Damaged_data_pages_are_reported_by_name_while_reading()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 10);
        string victim = Path.Combine(dir.Path, "shard-00000.parquet");
        byte[] bytes = File.ReadAllBytes(victim);
        // Overwrite the start of the column data (after the 4-byte magic), leaving the footer intact.
        Array.Fill(bytes, (byte)0xFF, 4, Math.Min(400, bytes.Length / 3));
        File.WriteAllBytes(victim, bytes);
        var reader = await ParquetShardReader.OpenAsync(dir.Path);
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => ReadAllAsync(reader));
        Assert.Equal(victim, ex.FilePath);
    }

    [Fact]
    public async Task A_gap_in_the_shard_numbers_is_reported()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 35);
        File.Delete(Path.Combine(dir.Path, "shard-00002.parquet"));
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path));
        Assert.Contains("shard-00002.parquet is missing", ex.Message);
    }

    [Fact]
    public async Task Shards_from_different_exports_are_not_mixed()
    {
        using var a = TestData.NewTempDir();
        using var b = TestData.NewTempDir();
        await WriteAsync(a.Path, 15);
        await WriteAsync(b.Path, 15, metadata: Meta with { Labels = ["ant", "bee", "cat"] });
        File.Copy(Path.Combine(b.Path, "shard-00001.parquet"), Path.Combine(a.Path, "shard-00001.parquet"), overwrite: true);
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(a.Path));
        Assert.Contains("metadata differs from shard-00000.parquet: labels [ant, bee] vs [ant, bee, cat]", ex.Message);
    }

    [Fact]
    public async Task A_shard_of_another_format_version_or_without_metadata_is_refused()
    {
        using var dir = TestData.NewTempDir();
        var keyValues = Meta.ToKeyValues().ToDictionary();
        keyValues["genomamba.format_version"] = "99";
        await ParquetSerializer.SerializeAsync(new[] { Sample(0) }, Path.Combine(dir.Path, "shard-00000.parquet"), customMetadata: keyValues);
        var version = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path));
        Assert.Contains("shard format version 99, this build reads version 1", version.Message);

        await ParquetSerializer.SerializeAsync(new[] { Sample(0) }, Path.Combine(dir.Path, "shard-00000.parquet"));
        var bare = await Assert.ThrowsAsync<DataFormatException>(() => ParquetShardReader.OpenAsync(dir.Path));
        Assert.Contains("no 'genomamba.format_version' in the file metadata", bare.Message);
    }

    [Fact]
    public async Task Rows_that_disagree_with_the_metadata_are_refused_on_read()
    {
        using var dir = TestData.NewTempDir();
        var bad = Sample(1);
        bad.Tokens = bad.Tokens[..60];
        await ParquetSerializer.SerializeAsync(new[] { Sample(0), bad }, Path.Combine(dir.Path, "shard-00000.parquet"), customMetadata: Meta.ToKeyValues());
        var reader = await ParquetShardReader.OpenAsync(dir.Path);
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => ReadAllAsync(reader));
        Assert.Contains("row 1: holds 60 tokens, the shard metadata says 64", ex.Message);
    }

    [Fact]
    public async Task Only_whole_shards_appear_and_no_temporary_file_is_left()
    {
        using var dir = TestData.NewTempDir();
        await using (var writer = new ParquetShardWriter(dir.Path, Meta, 10))
        {
            for (int i = 0; i < 15; i++)
            {
                await writer.WriteAsync(Sample(i));
            }
            // Disposed without CompleteAsync: the 5 pending samples are dropped, not written as a short shard.
        }
        Assert.Equal(["shard-00000.parquet"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(10, (await ParquetShardReader.OpenAsync(dir.Path)).Count);
    }

    [Fact]
    public async Task The_writer_refuses_a_directory_that_already_holds_shards()
    {
        using var dir = TestData.NewTempDir();
        await WriteAsync(dir.Path, 3);
        var ex = Assert.Throws<IOException>(() => new ParquetShardWriter(dir.Path, Meta));
        Assert.Contains("already holds shards", ex.Message);
    }

    [Theory]
    [InlineData("length")]
    [InlineData("token")]
    [InlineData("label")]
    [InlineData("strand")]
    public async Task The_writer_refuses_rows_that_disagree_with_the_metadata(string fault)
    {
        using var dir = TestData.NewTempDir();
        await using var writer = new ParquetShardWriter(dir.Path, Meta);
        var sample = Sample(2);
        switch (fault)
        {
            case "length": sample.Tokens = new byte[63]; sample.Length = 63; break;
            case "token": sample.Tokens[5] = DnaTokenizer.VocabSize; break;
            case "label": sample.Label = 1; break;
            default: sample.Strand = "."; break;
        }
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteAsync(sample));
        Assert.Contains("sample 0 (chr3:2000)", ex.Message);
    }

    [Fact]
    public void Tokens_widen_into_a_batch_row()
    {
        var sample = Sample(3);
        var row = new int[64];
        sample.CopyTokensTo(row);
        Assert.Equal(sample.Tokens.Select(t => (int)t), row);
        Assert.Throws<ArgumentException>(() => sample.CopyTokensTo(new int[63]));
    }
}
