namespace GnnSim.Meshing;

/// <summary>How the cells of a structured rectangle mesh are shaped.</summary>
public enum CellShape
{
    Quads,
    /// <summary>Each quad cut into two triangles along its lower-left to upper-right diagonal.</summary>
    Triangles,
}

/// <summary>Structured meshes: the grids CFDBench-style data lives on.</summary>
public static class StructuredMesh
{
    /// <summary>
    /// A rectangle [x0, x0 + width] x [y0, y0 + height] with <paramref name="cellsX"/> x
    /// <paramref name="cellsY"/> cells. Node (i, j) is number <c>j * (cellsX + 1) + i</c>.
    /// </summary>
    public static Mesh2D Rectangle(double x0, double y0, double width, double height, int cellsX, int cellsY, CellShape shape = CellShape.Quads,
        BoundaryTag bottom = BoundaryTag.Wall, BoundaryTag right = BoundaryTag.Wall, BoundaryTag top = BoundaryTag.Wall, BoundaryTag left = BoundaryTag.Wall)
    {
        if (cellsX < 1 || cellsY < 1) throw new ArgumentException($"a structured mesh needs at least 1 x 1 cells, got {cellsX} x {cellsY}");
        if (!(width > 0) || !(height > 0) || double.IsInfinity(width) || double.IsInfinity(height))
            throw new ArgumentException($"width and height must be positive and finite, got {width} x {height}");
        int nx = cellsX + 1, ny = cellsY + 1;
        var positions = new double[2 * nx * ny];
        for (var j = 0; j < ny; j++)
        for (var i = 0; i < nx; i++)
        {
            // Exact end coordinates, so boundary nodes sit exactly on the boundary.
            positions[2 * (j * nx + i)] = i == cellsX ? x0 + width : x0 + width * i / cellsX;
            positions[2 * (j * nx + i) + 1] = j == cellsY ? y0 + height : y0 + height * j / cellsY;
        }
        int Node(int i, int j) => j * nx + i;
        var cells = new List<int>(cellsX * cellsY * 6);
        for (var j = 0; j < cellsY; j++)
        for (var i = 0; i < cellsX; i++)
        {
            int a = Node(i, j), b = Node(i + 1, j), c = Node(i + 1, j + 1), d = Node(i, j + 1);
            if (shape == CellShape.Quads) cells.AddRange([a, b, c, d]);
            else cells.AddRange([a, b, c, a, c, d]);
        }
        var boundary = new List<BoundarySegment>();
        for (var i = 0; i < cellsX; i++)
        {
            boundary.Add(new BoundarySegment(Node(i, 0), Node(i + 1, 0), bottom));
            boundary.Add(new BoundarySegment(Node(i + 1, cellsY), Node(i, cellsY), top));
        }
        for (var j = 0; j < cellsY; j++)
        {
            boundary.Add(new BoundarySegment(Node(cellsX, j), Node(cellsX, j + 1), right));
            boundary.Add(new BoundarySegment(Node(0, j + 1), Node(0, j), left));
        }
        return new Mesh2D(positions, cells.ToArray(), shape == CellShape.Quads ? 4 : 3, boundary);
    }
}
