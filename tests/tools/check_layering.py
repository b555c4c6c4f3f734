#!/usr/bin/env python3
"""Checks simfleet's layering by reading every #include (README "Layout").

    check_layering.py ROOT QT_INCLUDE_DIR MODULE...       the tree as it is
    check_layering.py --self-test ROOT QT_INCLUDE_DIR MODULE...

MODULE... are the backend modules lowest first, as backend/CMakeLists.txt declares them. The
rules:
  - a backend module includes only itself and the modules below it;
  - the backend includes nothing of simulation/, models/, ui/ or app/, and no Qt Gui, Widgets or
    Charts header;
  - simulation/ includes the backend and itself only; it is linked by the programs and tests;
  - models/ includes the backend and itself (Qt Gui at most), never simulation/, ui/ or app/;
  - ui/ includes models/, the backend and itself, never simulation/ or app/; Qt Charts only in
    ui/charts/;
  - app/ and tests/ may include anything.
An include that breaks a rule is printed as FILE:LINE and the rule, and the exit code is 1.

--self-test also plants probes (a file in a low module including a higher one, the backend
including the simulation and Qt Widgets, models/ including the simulation) in a copy of the
include graph, and fails unless each probe is caught, so the check itself cannot silently pass.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)
SOURCE_SUFFIXES = ('.h', '.cpp')
LAYERS = ('backend', 'simulation', 'models', 'ui', 'app', 'tests')
FORBIDDEN_QT = ('QtGui', 'QtWidgets', 'QtCharts', 'QtSvg', 'QtPrintSupport')


def read_tree(root):
    """{relative path: text} of every C++ source under the layers."""
    files = {}
    for layer in LAYERS:
        for folder, _, names in os.walk(os.path.join(root, layer)):
            for name in names:
                if name.endswith(SOURCE_SUFFIXES):
                    path = os.path.join(folder, name)
                    with open(path, encoding='utf-8') as f:
                        files[os.path.relpath(path, root)] = f.read()
    return files


def qt_module_of(header, qt_include_dir):
    """The Qt module folder that holds a <QHeader>, or None for non-Qt headers."""
    if '/' in header:
        module = header.split('/', 1)[0]
        return module if module.startswith('Qt') else None
    if not header.startswith('Q'):
        return None
    for module in os.listdir(qt_include_dir):
        if os.path.exists(os.path.join(qt_include_dir, module, header)):
            return module
    return None


def owner(path, modules):
    """(layer, backend module or None) a file belongs to."""
    parts = path.split('/')
    layer = parts[0]
    if layer == 'backend' and len(parts) > 2 and parts[1] in modules:
        return layer, parts[1]
    return layer, None


def resolve(including, target, files, modules):
    """The relative path a quoted include names, searched as the build's include paths do."""
    here = os.path.dirname(including)
    layer = including.split('/')[0]
    candidates = [os.path.normpath(os.path.join(here, target)), 'backend/' + target, target]
    if layer in ('models', 'ui', 'app', 'tests'):
        candidates += ['models/' + target, 'ui/' + target]
    for candidate in candidates:
        if candidate in files:
            return candidate
    return None


def violations(files, modules, qt_include_dir):
    found = []
    for path, text in sorted(files.items()):
        layer, module = owner(path, modules)
        if layer in ('app', 'tests'):
            continue
        for match in INCLUDE.finditer(text):
            line = text.count('\n', 0, match.start()) + 1
            close = '>' if match.group(1) == '<' else '"'
            where = f'{path}:{line}: #include {match.group(1)}{match.group(2)}{close}'
            if match.group(1) == '<':
                qt = qt_module_of(match.group(2), qt_include_dir)
                if layer in ('backend', 'simulation') and qt in FORBIDDEN_QT:
                    found.append(f'{where}: {layer}/ must not use {qt} (the backend runs without a display)')
                if layer == 'models' and qt in ('QtWidgets', 'QtCharts'):
                    found.append(f'{where}: models/ uses Qt Gui at most, not {qt}')
                if layer == 'ui' and qt == 'QtCharts' and not path.startswith('ui/charts/'):
                    found.append(f'{where}: Qt Charts is used behind ui/charts/ only (Qt Graphs replaces it)')
                continue
            target = resolve(path, match.group(2), files, modules)
            if target is None:
                continue  # a generated file (moc, ui) or one outside the layers
            target_layer, target_module = owner(target, modules)
            if layer == 'backend':
                if target_layer != 'backend':
                    found.append(f'{where}: the backend must not include {target_layer}/')
                elif module and target_module and modules.index(target_module) > modules.index(module):
                    found.append(f'{where}: backend module {module} must not include {target_module}, '
                                 f'which lies above it ({" < ".join(modules)})')
            elif layer == 'simulation' and target_layer not in ('backend', 'simulation'):
                found.append(f'{where}: simulation/ may include the backend only, not {target_layer}/')
            elif layer == 'models' and target_layer not in ('backend', 'models'):
                found.append(f'{where}: models/ may include the backend only, not {target_layer}/ '
                             '(the program wires the simulation in)')
            elif layer == 'ui' and target_layer not in ('backend', 'models', 'ui'):
                found.append(f'{where}: ui/ may include models/ and the backend only, not {target_layer}/')
    return found


def self_test(files, modules, qt_include_dir):
    """Each probe must be caught, and only the probe; the tree must be clean."""
    clean = violations(files, modules, qt_include_dir)
    if clean:
        print('the tree itself breaks the layering:', *clean, sep='\n  ')
        return 1
    low, high = modules[1], modules[-1]
    high_header = next(p for p in sorted(files) if p.startswith(f'backend/{high}/') and p.endswith('.h'))
    sim_header = next(p for p in sorted(files) if p.startswith('simulation/') and p.endswith('.h'))
    probes = {
        f'backend/{low}/layering_probe.cpp': f'#include "{high_header[len("backend/"):]}"\n',
        'backend/store/layering_probe.h': f'#include "{sim_header}"\n',
        'backend/crypto/layering_probe_widgets.cpp': '#include <QWidget>\n',
        'models/layering_probe.cpp': f'#include "{sim_header}"\n',
        'ui/layering_probe.cpp': '#include "app/gui/workspacelauncher.h"\n',
        'ui/pages/layering_probe_charts.cpp': '#include <QChartView>\n',
    }
    failures = 0
    for path, text in probes.items():
        planted = dict(files)
        planted[path] = text
        caught = violations(planted, modules, qt_include_dir)
        if len(caught) != 1 or not caught[0].startswith(path + ':'):
            print(f'probe {path} ({text.strip()}) was not caught as the one violation: {caught}')
            failures += 1
        else:
            print(f'probe caught: {caught[0]}')
    return 1 if failures else 0


def main(argv):
    test = argv[1:2] == ['--self-test']
    args = argv[2:] if test else argv[1:]
    if len(args) < 3:
        print(__doc__)
        return 2
    root, qt_include_dir, modules = args[0], args[1], args[2:]
    files = read_tree(root)
    if test:
        return self_test(files, modules, qt_include_dir)
    found = violations(files, modules, qt_include_dir)
    for v in found:
        print(v)
    print(f'{len(files)} files, {len(found)} layering violations')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
