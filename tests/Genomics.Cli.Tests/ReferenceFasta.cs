using System.IO.Compression;
using System.Text;

namespace Genomics.Cli.Tests;

/// <summary>
/// The test's own FASTA reading and writing, sharing no code with Genomics.Data: records as written (case
/// kept), samtools-style output at a line width, and regions cut by hand. Used to check the CLI where
/// samtools cannot go (aliases, gzip input) or is not installed.
/// </summary>
internal static class ReferenceFasta
{
    /// <summary>Records of a plain or gzip FASTA: the header's first word and the bases exactly as written.</summary>
    public static IReadOnlyList<(string Name, string Bases)> Read(string path)
    {
        using Stream file = File.OpenRead(path);
        bool gzip = file.ReadByte() == 0x1f;
        file.Position = 0;
        using Stream data = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data, Encoding.ASCII);
        var records = new List<(string, string)>();
        string? name = null;
        var bases = new StringBuilder();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.StartsWith('>'))
            {
                if (name is not null)
                {
                    records.Add((name, bases.ToString()));
                }
                name = line[1..].Split([' ', '\t'], 2)[0];
                bases.Clear();
            }
            else
            {
                bases.Append(line.TrimEnd('\r'));
            }
        }
        if (name is not null)
        {
            records.Add((name, bases.ToString()));
        }
        return records;
    }

    /// <summary>One record as samtools faidx prints it.</summary>
    public static string Format(string header, string bases, int width = 60)
    {
        var text = new StringBuilder().Append('>').Append(header).Append('\n');
        for (int i = 0; i < bases.Length; i += width)
        {
            text.Append(bases, i, Math.Min(width, bases.Length - i)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The bases of a region written against record names, "name" or "name:start[-end]", 1-based inclusive.</summary>
    public static string Cut(IReadOnlyList<(string Name, string Bases)> records, string region)
    {
        foreach (var (name, bases) in records.OrderByDescending(r => r.Name.Length))
        {
            if (region == name)
            {
                return bases;
            }
            if (region.StartsWith(name + ":", StringComparison.Ordinal))
            {
                string[] range = region[(name.Length + 1)..].Replace(",", "").Split('-');
                int start = int.Parse(range[0]);
                int end = range.Length > 1 ? int.Parse(range[1]) : bases.Length;
                return bases[(start - 1)..end];
            }
        }
        throw new ArgumentException($"region {region} names no record");
    }

    /// <summary>
    /// What `samtools faidx FASTA REGION…` prints for regions written against record names: samtools itself
    /// when installed (FASTA must be plain), else the same cut and wrapped here.
    /// </summary>
    public static byte[] SamtoolsFaidx(string plainFasta, IEnumerable<string> regions, int width = 60)
    {
        string[] list = regions.ToArray();
        if (Tools.Samtools is { } samtools)
        {
            return Tools.Run(samtools, ["faidx", "-n", width.ToString(), plainFasta, .. list]);
        }
        var records = Read(plainFasta);
        return Encoding.ASCII.GetBytes(string.Concat(list.Select(r => Format(r, Cut(records, r), width))));
    }

    /// <summary>The sequence lines of FASTA output joined, headers dropped.</summary>
    public static string Sequence(byte[] fasta) =>
        string.Concat(Encoding.ASCII.GetString(fasta).Split('\n').Where(l => !l.StartsWith('>')));

    /// <summary>Headers of FASTA output.</summary>
    public static string[] Headers(byte[] fasta) =>
        Encoding.ASCII.GetString(fasta).Split('\n').Where(l => l.StartsWith('>')).Select(l => l[1..]).ToArray();
}
