"""Every architecture the mirror knows, by the `kind` of its config (electron/engine/models/arch.ts): the U-Nets (aez_unet.py) and
the codec (aez_codec.py)."""
import aez_codec
import aez_unet


def param_specs(cfg):
    return aez_codec.param_specs(cfg) if cfg['kind'] == 'hyperprior' else aez_unet.param_specs(cfg)


def flat_params(cfg, flat):
    """The flat vector with a view of each parameter, for the forward passes of either family."""
    return aez_unet.FlatParams(cfg, flat, param_specs(cfg))
