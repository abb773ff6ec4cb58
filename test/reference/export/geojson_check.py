"""Reads a GeoJSON file the way a GIS consumer does (GDAL/OGR's GeoJSON driver, geometries checked
by GEOS) and reports what it found, as JSON on stdout:
{"driver", "count", "features": [{"fid", "type", "valid", "reason", "area", "rings",
"properties": {...}}]}. "rings" are read from the raw JSON: per ring, whether it is closed and its
signed (shoelace) area. Usage: geojson_check.py FILE
"""
import json
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()


def signed_area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def rings_of(geometry):
    polygons = [geometry['coordinates']] if geometry['type'] == 'Polygon' else geometry['coordinates']
    return [ring for polygon in polygons for ring in polygon]


def main(path):
    source = ogr.Open(path)
    layer = source.GetLayer(0)
    with open(path, encoding='utf-8') as file:
        raw = json.load(file)
    features = []
    for feature, raw_feature in zip(layer, raw['features']):
        geometry = feature.GetGeometryRef()
        valid = geometry.IsValid()
        features.append({
            'fid': feature.GetFID(),
            'type': geometry.GetGeometryName(),
            'valid': valid,
            'simple': geometry.IsSimple(),
            'area': geometry.GetArea(),
            'rings': [{'closed': ring[0] == ring[-1], 'points': len(ring), 'signed_area': signed_area(ring)}
                      for ring in rings_of(raw_feature['geometry'])],
            'properties': {key: feature.GetField(key) for key in feature.keys()},
        })
    json.dump({'driver': source.GetDriver().GetName(), 'count': layer.GetFeatureCount(),
               'raw_count': len(raw['features']), 'features': features}, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1])
