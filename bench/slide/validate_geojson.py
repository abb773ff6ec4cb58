"""Checks a slide run's outputs with independent readers (Debian's python3 with GDAL):

  /usr/bin/python3 bench/slide/validate_geojson.py SLIDE.geojson [OVERLAY.tiff]

The GeoJSON is read by GDAL/OGR's GeoJSON driver, which parses large files as a stream: every feature
is counted, its geometry checked for validity by GEOS, and its classification tallied; the reader's
peak memory is printed. The overlay TIFF is opened through libopenslide (ctypes), as slide viewers do.
"""
import ctypes
import json
import resource
import sys
import time

from osgeo import ogr

ogr.UseExceptions()


def check_geojson(path):
    started = time.time()
    source = ogr.Open(path)
    layer = source.GetLayer(0)
    count = invalid = 0
    classes = {}
    for feature in layer:
        count += 1
        geometry = feature.GetGeometryRef()
        if geometry is None or not geometry.IsValid():
            invalid += 1
        classification = json.loads(feature.GetField('classification'))['name']
        classes[classification] = classes.get(classification, 0) + 1
    return {
        'features': count,
        'invalid_geometries': invalid,
        'classes': classes,
        'seconds': round(time.time() - started, 1),
        'reader_peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def check_overlay(path):
    lib = ctypes.CDLL('libopenslide.so.0')
    lib.openslide_open.restype = ctypes.c_void_p
    lib.openslide_open.argtypes = [ctypes.c_char_p]
    lib.openslide_get_error.restype = ctypes.c_char_p
    lib.openslide_get_error.argtypes = [ctypes.c_void_p]
    lib.openslide_get_level_count.argtypes = [ctypes.c_void_p]
    lib.openslide_get_level_dimensions.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]
    lib.openslide_get_property_value.restype = ctypes.c_char_p
    lib.openslide_get_property_value.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.openslide_close.argtypes = [ctypes.c_void_p]
    slide = lib.openslide_open(path.encode())
    if not slide:
        return {'opens': False}
    error = lib.openslide_get_error(slide)
    levels = []
    for level in range(lib.openslide_get_level_count(slide)):
        width, height = ctypes.c_int64(), ctypes.c_int64()
        lib.openslide_get_level_dimensions(slide, level, ctypes.byref(width), ctypes.byref(height))
        levels.append(f'{width.value}x{height.value}')
    vendor = lib.openslide_get_property_value(slide, b'openslide.vendor')
    lib.openslide_close(slide)
    return {'opens': error is None, 'vendor': vendor.decode() if vendor else None, 'levels': levels}


result = {'geojson': check_geojson(sys.argv[1])}
if len(sys.argv) > 2:
    result['overlay'] = check_overlay(sys.argv[2])
print(json.dumps(result))
