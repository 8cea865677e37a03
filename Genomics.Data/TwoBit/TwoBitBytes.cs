using System.Buffers.Binary;

namespace Genomics.Data.TwoBit;

/// <summary>
/// Bounds-checked reads from a mapped .2bit file in the file's own byte order. Every read past the end
/// becomes a <see cref="DataFormatException"/> saying what was being read, so a truncated file is
/// reported at the field that is missing rather than as an access violation.
/// </summary>
internal readonly unsafe struct TwoBitBytes(byte* start, long length, bool swap, string path)
{
    public byte* Start => start;
    public long Length => length;
    public bool Swap => swap;
    public string Path => path;

    public uint UInt32(long position, string what)
    {
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(Span(position, 4, what));
        return swap ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    public ulong UInt64(long position, string what)
    {
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(Span(position, 8, what));
        return swap ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    public ReadOnlySpan<byte> Span(long position, int count, string what)
    {
        Require(position, count, what);
        return new ReadOnlySpan<byte>(start + position, count);
    }

    /// <summary>Throws unless [position, position + count) lies inside the file.</summary>
    public void Require(long position, long count, string what)
    {
        if (position < 0 || count < 0 || position > length - count)
        {
            throw new DataFormatException(path, $"truncated or corrupt: {what} needs bytes [{position}, {position + count}) but the file has {length}",
                "re-create the .2bit file (faToTwoBit or genomamba data 2bit)");
        }
    }
}
