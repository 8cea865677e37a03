namespace Genomics.Data.TwoBit;

/// <summary>Where one record's parts sit in the file; read at open from the fixed-size fields only.</summary>
internal readonly record struct TwoBitRecordLayout(
    uint DnaSize,
    long NBlocksOffset,
    int NBlockCount,
    long MaskBlocksOffset,
    int MaskBlockCount,
    long PackedOffset);
