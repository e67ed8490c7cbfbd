using System.Runtime.InteropServices;
using System.Text;
using GnnSim.Datasets.Meshes;
using GnnSim.Datasets.TfRecord;

namespace GnnSim.Datasets.Tests;

public sealed class TfRecordTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("gnnsim-tfrecord-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0x82F63B78 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Crc32CMatchesThePublishedCheckValues()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8)); // the CRC catalogue's check value
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32])); // RFC 3720, 32 bytes of zeros
        var random = new byte[1003];
        new Random(5).NextBytes(random);
        Assert.Equal(BitwiseCrc32C(random), Crc32C.Compute(random)); // the wide path and the byte tail agree
    }

    // Example { features { feature { key: "a" value { bytes_list { value: "xy" } } }
    //                      feature { key: "b" value { float_list { value: [1, 2] } } } } }, encoded by hand from example.proto.
    static readonly byte[] HandMadeExample =
    [
        0x0A, 0x20,                                   // Example.features, 32 bytes
        0x0A, 0x0B,                                   //   Features.feature entry, 11 bytes
        0x0A, 0x01, (byte)'a', 0x12, 0x06,            //     key "a", value 6 bytes
        0x0A, 0x04, 0x0A, 0x02, (byte)'x', (byte)'y', //       bytes_list { value: "xy" }
        0x0A, 0x11,                                   //   entry, 17 bytes
        0x0A, 0x01, (byte)'b', 0x12, 0x0C,            //     key "b", value 12 bytes
        0x12, 0x0A, 0x0A, 0x08,                       //       float_list { value (packed, 8 bytes)
        0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40,
    ];

    [Fact]
    public void ExamplesParseFromTheWireFormatAndEncodeBackToTheSameBytes()
    {
        var features = TfExample.Parse(HandMadeExample);
        Assert.Equal("xy", Encoding.ASCII.GetString(Assert.Single(features["a"].Bytes)));
        Assert.Equal([1f, 2f], features["b"].Floats);
        Assert.Equal(HandMadeExample, TfExample.Encode(features));

        var longs = TfExample.Parse(TfExample.Encode(new Dictionary<string, TfFeature> { ["n"] = TfFeature.OfInt64s(-3, 0, 1L << 40) }));
        Assert.Equal([-3L, 0, 1L << 40], longs["n"].Int64s);
    }

    /// <summary>A two-trajectory dataset in DeepMind's cylinder_flow format, written the way their files are.</summary>
    (float[] Velocity, float[] Pressure)[] WriteCylinderFlowLike(string directory, int frames, bool withDt = true)
    {
        Directory.CreateDirectory(directory);
        var dt = withDt ? "\"dt\": 0.01," : "";
        File.WriteAllText(Path.Combine(directory, "meta.json"), $$$"""
            {"simulator": "test", {{{dt}}} "collection": "cylinder_flow",
             "field_names": ["cells", "mesh_pos", "node_type", "velocity", "pressure", "reynolds"],
             "features": {
               "cells": {"type": "static", "shape": [1, -1, 3], "dtype": "int32"},
               "mesh_pos": {"type": "static", "shape": [1, -1, 2], "dtype": "float32"},
               "node_type": {"type": "static", "shape": [1, -1, 1], "dtype": "int32"},
               "velocity": {"type": "dynamic", "shape": [{{{frames}}}, -1, 2], "dtype": "float32"},
               "pressure": {"type": "dynamic", "shape": [{{{frames}}}, -1, 1], "dtype": "<dtype: 'float32'>"},
               "reynolds": {"type": "static", "shape": [1, -1, 1], "dtype": "float32"}},
             "trajectory_length": {{{frames}}}}
            """);
        var truth = new List<(float[], float[])>();
        var records = new List<byte[]>();
        for (int t = 0; t < 2; t++)
        {
            int nodes = 4 + t;
            var positions = Enumerable.Range(0, nodes * 2).Select(k => k * 0.1f).ToArray();
            var cells = Enumerable.Range(0, 3 * (nodes - 2)).Select(k => k / 3 + k % 3).ToArray();
            var types = Enumerable.Range(0, nodes).Select(k => k % 2 == 0 ? 0 : 6).ToArray();
            var velocity = Enumerable.Range(0, frames * nodes * 2).Select(k => k + 100f * t).ToArray();
            var pressure = Enumerable.Range(0, frames * nodes).Select(k => -k - 100f * t).ToArray();
            var reynolds = Enumerable.Repeat(100f + t, nodes).ToArray();
            truth.Add((velocity, pressure));
            byte[] Raw<T>(T[] values) where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            records.Add(TfExample.Encode(new Dictionary<string, TfFeature>
            {
                ["cells"] = TfFeature.OfBytes(Raw(cells)),
                ["mesh_pos"] = TfFeature.OfBytes(Raw(positions)),
                ["node_type"] = TfFeature.OfBytes(Raw(types)),
                ["velocity"] = TfFeature.OfBytes(Raw(velocity)),
                ["pressure"] = TfFeature.OfBytes(Raw(pressure)),
                ["reynolds"] = TfFeature.OfBytes(Raw(reynolds)),
            }));
        }
        TfRecordFile.Write(Path.Combine(directory, "train.tfrecord"), records);
        return [.. truth];
    }

    [Fact]
    public void ADeepMindDatasetReadsWithStaticFieldsTiledAndConvertsToHdf5()
    {
        const int frames = 6;
        var truth = WriteCylinderFlowLike(dir, frames);
        var trajectories = DeepMindMeshDataset.Read(dir, "train").ToList();
        Assert.Equal(2, trajectories.Count);
        for (int t = 0; t < 2; t++)
        {
            var trajectory = trajectories[t];
            Assert.Equal(4 + t, trajectory.NodeCount);
            Assert.Equal(2 + t, trajectory.CellCount);
            Assert.Equal(frames, trajectory.FrameCount);
            Assert.Equal(0.01, trajectory.Dt);
            Assert.Equal(truth[t].Velocity, trajectory.Field("velocity").Values);
            Assert.Equal(truth[t].Pressure, trajectory.Field("pressure").Values);
            var reynolds = trajectory.Field("reynolds");
            Assert.Equal(frames * trajectory.NodeCount, reynolds.Values.Length); // tiled over time
            Assert.All(reynolds.Values, r => Assert.Equal(100f + t, r));
        }

        var h5 = Path.Combine(dir, "cylinder.h5");
        MeshTrajectoryFile.Write(h5, DeepMindMeshDataset.Read(dir, "train"));
        var converted = MeshTrajectoryFile.ReadAll(h5);
        Assert.Equal(["0", "1"], converted.Select(c => c.Name));
        Assert.Equal(trajectories[1].Field("velocity").Values, converted[1].Field("velocity").Values);
        Assert.Equal(trajectories[1].Cells, converted[1].Cells);
        Assert.Equal(trajectories[1].MeshPositions, converted[1].MeshPositions);
    }

    [Fact]
    public void CorruptRecordsAndBadMetadataGiveErrorsNamingTheFile()
    {
        WriteCylinderFlowLike(dir, frames: 3);
        var records = Path.Combine(dir, "train.tfrecord");
        var bytes = File.ReadAllBytes(records);

        var flipped = (byte[])bytes.Clone();
        flipped[40] ^= 0x10; // inside the first record's data
        File.WriteAllBytes(records, flipped);
        var error = Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(dir, "train").ToList());
        Assert.Contains(records, error.Message);
        Assert.Contains("record 0", error.Message);
        Assert.Contains("checksum", error.Message);

        File.WriteAllBytes(records, bytes.AsSpan(0, bytes.Length - 10).ToArray());
        error = Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(dir, "train").ToList());
        Assert.Contains("record 1", error.Message);
        Assert.Contains("truncated", error.Message);

        File.WriteAllBytes(records, bytes);
        Assert.Equal(2, DeepMindMeshDataset.Read(dir, "train").Count());
        Assert.Contains("valid.tfrecord", Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(dir, "valid").ToList()).Message);

        var noDt = Path.Combine(dir, "no-dt");
        WriteCylinderFlowLike(noDt, frames: 3, withDt: false);
        Assert.Contains("dt", Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(noDt, "train").ToList()).Message);
        Assert.Equal(0.02, DeepMindMeshDataset.Read(noDt, "train", dt: 0.02).First().Dt);

        // A meta.json that claims a billion frames and two unknown sizes in one shape: errors, not a huge tiling or a crash.
        var meta = Path.Combine(noDt, "meta.json");
        var valid = File.ReadAllText(meta);
        File.WriteAllText(meta, valid.Replace("\"dynamic\"", "\"static\"").Replace("\"trajectory_length\": 3", "\"trajectory_length\": 1000000000"));
        Assert.Contains("no dynamic per-node field", Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(noDt, "train", dt: 0.02).ToList()).Message);
        File.WriteAllText(meta, valid.Replace("[1, -1, 3]", "[1, -1, -1]"));
        Assert.Contains("cells has shape [1, -1, -1]", Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(noDt, "train", dt: 0.02).ToList()).Message);

        File.WriteAllText(meta, """{"features": {}, "trajectory_length": 3}""");
        error = Assert.Throws<InvalidDataException>(() => DeepMindMeshDataset.Read(noDt, "train", dt: 0.02).ToList());
        Assert.Contains("mesh_pos", error.Message);
    }
}
